using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Web;

/// <summary>
/// The site configuration is wrong; <see cref="Exception.Message"/> is written for the operator:
/// a header, then one line per problem, <c>&lt;file&gt;: &lt;key&gt; = &lt;value&gt;, &lt;rule&gt;</c>.
/// </summary>
public sealed class OpsConfigurationException(string header, IReadOnlyList<string> problems)
    : Exception(header + Environment.NewLine + string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

public static class OpsConfigurationExtensions
{
    public const string ConfigDirectoryKey = "Ops:ConfigDirectory";
    public const string ApiKeyVariable = "OPS_API_KEY";

    /// <summary>The files in load order; later files win for keys present in several.</summary>
    public static readonly IReadOnlyList<(string File, bool Required)> Files =
        [("site.json", true), ("queues.json", true), ("shifts.json", false), ("ingestion.json", false), ("access.json", false), ("webhooks.json", false), ("alarms.json", false)];

    // Where a key belongs when no provider has it (a required value nobody wrote).
    private static readonly Dictionary<string, string> FileBySection = new(StringComparer.OrdinalIgnoreCase)
    {
        ["site"] = "site.json",
        ["queues"] = "queues.json",
        ["shifts"] = "shifts.json",
        ["ingestion"] = "ingestion.json",
        ["access"] = "access.json",
        ["webhooks"] = "webhooks.json",
        ["alarms"] = "alarms.json",
    };

    /// <summary>
    /// Adds config/*.json below environment variables and the command line, binds and validates
    /// <see cref="OpsOptions"/>, and registers it (plain and as <see cref="IOptions{TOptions}"/>)
    /// together with a <see cref="SiteClock"/>. Throws <see cref="OpsConfigurationException"/> listing
    /// every problem, before anything else starts.
    /// </summary>
    public static WebApplicationBuilder AddOpsConfiguration(this WebApplicationBuilder builder)
    {
        var directory = FindConfigDirectory(builder.Configuration, builder.Environment.ContentRootPath);
        AddConfigFiles(builder.Configuration, directory);
        var options = Load(builder.Configuration, directory);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IOptions<OpsOptions>>(Options.Create(options));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new SiteClock(sp.GetRequiredService<TimeProvider>(), options.Site));
        return builder;
    }

    /// <summary>
    /// Runs the host; a configuration error is printed to stderr as the plain message (no stack trace)
    /// and gives exit code 1.
    /// </summary>
    public static int RunOrExplain(Action run)
    {
        try
        {
            run();
            return 0;
        }
        catch (OpsConfigurationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    /// <inheritdoc cref="RunOrExplain"/>
    public static async Task<int> RunOrExplainAsync(Func<Task> run)
    {
        try
        {
            await run();
            return 0;
        }
        catch (OpsConfigurationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    /// <summary>
    /// <c>Ops:ConfigDirectory</c> when set; otherwise the first <c>config/</c> with a site.json walking up
    /// from the current directory, the content root and the application's base directory, so that
    /// <c>dotnet run</c> from the repository, test runs and published builds all find it.
    /// </summary>
    public static string FindConfigDirectory(IConfiguration configuration, string? contentRoot = null)
    {
        var configured = configuration[ConfigDirectoryKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            return Directory.Exists(full)
                ? full
                : throw new OpsConfigurationException("Ops.Dashboard cannot start: the configuration directory does not exist.",
                    [$"{ConfigDirectoryKey} = {configured}, directory not found ({full})"]);
        }

        string?[] starts = [Directory.GetCurrentDirectory(), contentRoot, AppContext.BaseDirectory];
        foreach (var start in starts.OfType<string>())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "config");
                if (File.Exists(Path.Combine(candidate, "site.json")))
                {
                    return candidate;
                }
            }
        }
        throw new OpsConfigurationException("Ops.Dashboard cannot start: no configuration directory found.",
            [$"{ConfigDirectoryKey} = (missing), set it or create config/site.json in or above {string.Join(", ", starts.OfType<string>().Distinct())}"]);
    }

    /// <summary>
    /// Inserts the JSON files just below the trailing run of environment-variable, command-line,
    /// in-memory and chained sources (WebApplicationBuilder ends with a chained host-settings source),
    /// so those keep overriding the files while appsettings*.json stay below them.
    /// </summary>
    public static void AddConfigFiles(IConfigurationBuilder configuration, string directory)
    {
        var sources = configuration.Sources;
        var index = sources.Count;
        while (index > 0 && sources[index - 1] is EnvironmentVariablesConfigurationSource or CommandLineConfigurationSource
            or MemoryConfigurationSource or ChainedConfigurationSource)
        {
            index--;
        }

        var missing = Files.Where(f => f.Required && !File.Exists(Path.Combine(directory, f.File)))
            .Select(f => $"{DisplayPath(Path.Combine(directory, f.File))}: file not found (required)")
            .ToList();
        if (missing.Count > 0)
        {
            throw new OpsConfigurationException($"Ops.Dashboard cannot start: required configuration files are missing in {directory}.", missing);
        }

        // Reloading is off on purpose: a change is only trusted after validation, i.e. at start.
        var fileProvider = new PhysicalFileProvider(directory);
        foreach (var (file, required) in Files)
        {
            var source = new JsonConfigurationSource { FileProvider = fileProvider, Path = file, Optional = !required, ReloadOnChange = false };
            try
            {
                sources.Insert(index++, source);
            }
            catch (InvalidDataException e)
            {
                throw new OpsConfigurationException("Ops.Dashboard cannot start: a configuration file is not valid JSON.",
                    [$"{DisplayPath(Path.Combine(directory, file))}: not valid JSON: {e.GetBaseException().Message}"]);
            }
        }
    }

    /// <summary>
    /// Binds <see cref="OpsOptions"/> from <paramref name="configuration"/>, adds the OPS_API_KEY key and
    /// validates; throws <see cref="OpsConfigurationException"/> naming the source of every bad value.
    /// </summary>
    public static OpsOptions Load(IConfigurationRoot configuration, string? directory = null)
    {
        // Values the binder cannot convert would stop it at the first one (or silently drop a list
        // item), so they are found first and left out of binding; the validator then sees the rest.
        var conversionErrors = new List<ConfigError>();
        CheckSection(configuration, "", typeof(OpsOptions), conversionErrors, checkUnknown: false);
        IConfiguration bindSource = conversionErrors.Count == 0
            ? configuration
            : new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable()
                .Where(kv => !conversionErrors.Any(e => IsSameOrBelow(kv.Key, e.Key)))).Build();

        var options = new OpsOptions();
        try
        {
            bindSource.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new OpsConfigurationException("Ops.Dashboard cannot start: the configuration cannot be read.", [e.Message]);
        }
        options.ApplyDefaults();

        var envKey = configuration[ApiKeyVariable];
        var envKeyIndex = -1;
        // The same key in a file and in OPS_API_KEY is harmless, so it is not added twice.
        if (!string.IsNullOrEmpty(envKey) && !options.Ingestion.ApiKeys.Any(k => k.Key == envKey))
        {
            envKeyIndex = options.Ingestion.ApiKeys.Count;
            options.Ingestion.ApiKeys.Add(new ApiKeyOptions { Name = "env", Key = envKey });
        }

        var errors = new List<ConfigError>(conversionErrors);
        foreach (var raw in OpsOptionsValidator.Validate(options))
        {
            var error = raw.Key.StartsWith($"ingestion:apiKeys:{envKeyIndex}:", StringComparison.Ordinal) && envKeyIndex >= 0
                ? raw with { Key = ApiKeyVariable }
                : raw with { Key = MapListIndices(bindSource, raw.Key) };
            // A value that could not be converted was left out of binding; its default is no news.
            if (!conversionErrors.Any(c => IsSameOrBelow(error.Key, c.Key)))
            {
                errors.Add(error);
            }
        }

        // Grouped as the files are read: by file, then by list item (the sort is stable).
        var problems = errors
            .OrderBy(e => SectionRank(e.Key))
            .ThenBy(e => FirstIndex(e.Key))
            .Select(e => Describe(configuration, e, directory))
            .ToList();
        if (problems.Count > 0)
        {
            var where = directory is null ? "" : $" (config directory {directory})";
            throw new OpsConfigurationException(
                $"Ops.Dashboard cannot start: {problems.Count} configuration error{(problems.Count == 1 ? "" : "s")}{where}:", problems);
        }
        return options;
    }

    /// <summary>Where a key's effective value comes from, as the operator would go and fix it.</summary>
    public static string DescribeSource(IConfigurationRoot configuration, string key, string? directory = null)
    {
        var providers = configuration.Providers.Reverse().ToList();
        foreach (var provider in providers)
        {
            if (provider.TryGet(key, out var value))
            {
                return Describe(provider, key, value);
            }
        }

        // Missing: blame whoever supplies the nearest enclosing section, else the file it belongs in.
        var segments = key.Split(':');
        for (var n = segments.Length - 1; n >= 1; n--)
        {
            var parent = string.Join(':', segments[..n]);
            foreach (var provider in providers)
            {
                if (provider.GetChildKeys([], parent).Any())
                {
                    return Describe(provider, key, null);
                }
            }
        }
        return FileBySection.TryGetValue(segments[0], out var file)
            ? DisplayPath(Path.Combine(directory ?? "config", file))
            : "configuration";
    }

    private static string Describe(IConfigurationRoot configuration, ConfigError error, string? directory) =>
        $"{DescribeSource(configuration, error.Key, directory)}: {error}";

    private static string Describe(IConfigurationProvider provider, string key, string? value) => provider switch
    {
        FileConfigurationProvider file => DisplayPath(file.Source.FileProvider?.GetFileInfo(file.Source.Path ?? "").PhysicalPath ?? file.Source.Path ?? "file"),
        EnvironmentVariablesConfigurationProvider => $"environment variable {EnvironmentVariableName(key, value)}",
        CommandLineConfigurationProvider => "command line",
        MemoryConfigurationProvider => "in-memory configuration",
        ChainedConfigurationProvider { Configuration: IConfigurationRoot inner } => DescribeSource(inner, key),
        _ => provider.ToString() ?? provider.GetType().Name,
    };

    private static string EnvironmentVariableName(string key, string? value)
    {
        // The provider keeps no variable names, so find the variable whose name (after any prefix
        // such as DOTNET_) maps to the key and whose value is the one in effect.
        string? best = null;
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (name.Replace("__", ":").EndsWith(key, StringComparison.OrdinalIgnoreCase)
                && (value is null || value == entry.Value as string)
                && (best is null || name.Length < best.Length))
            {
                best = name;
            }
        }
        return best ?? key.Replace(":", "__").ToUpperInvariant();
    }

    /// <summary>Relative to the working directory when below it (config/queues.json), else absolute.</summary>
    private static string DisplayPath(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? full
            : relative.Replace('\\', '/');
    }

    /// <summary>
    /// The validator counts list items 0..n-1; the configuration may number them otherwise (a sparse
    /// index from an environment variable), so each index is replaced by the key the binder read.
    /// </summary>
    private static string MapListIndices(IConfiguration configuration, string key)
    {
        var segments = key.Split(':');
        IConfiguration current = configuration;
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0 && int.TryParse(segments[i], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                var items = current.GetChildren().ToList();
                if (index < items.Count)
                {
                    segments[i] = items[index].Key;
                    current = items[index];
                    continue;
                }
            }
            current = current.GetSection(segments[i]);
        }
        return string.Join(':', segments);
    }

    private static int SectionRank(string key)
    {
        var section = key.Split(':')[0];
        var rank = Files.ToList().FindIndex(f => f.File.Equals(FileBySection.GetValueOrDefault(section), StringComparison.Ordinal));
        return rank < 0 ? int.MaxValue : rank;
    }

    private static long FirstIndex(string key)
    {
        foreach (var segment in key.Split(':'))
        {
            if (long.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return index;
            }
        }
        return -1;
    }

    private static bool IsSameOrBelow(string key, string ancestor) =>
        key.Equals(ancestor, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(ancestor + ":", StringComparison.OrdinalIgnoreCase);

    private static void CheckSection(IConfiguration section, string path, Type type, List<ConfigError> errors, bool checkUnknown)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .ToDictionary(KeyName, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (properties.TryGetValue(child.Key, out var property))
            {
                CheckValue(child, Join(path, KeyName(property)), property.PropertyType, errors);
            }
            else if (checkUnknown)
            {
                // A misspelt key would otherwise be ignored and its default used without a word.
                errors.Add(new(Join(path, child.Key), child.Value ?? "(section)", $"unknown setting (known: {string.Join(", ", properties.Keys)})"));
            }
        }
    }

    private static void CheckValue(IConfigurationSection section, string path, Type type, List<ConfigError> errors)
    {
        var hasChildren = section.GetChildren().Any();
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (scalar == typeof(string) || scalar.IsPrimitive)
        {
            if (hasChildren)
            {
                errors.Add(new(path, "(section)", "must be a single value"));
            }
            else if (scalar != typeof(string) && section.Value is { } text && !CanConvert(scalar, text))
            {
                errors.Add(new(path, text, scalar == typeof(bool) ? "must be true or false"
                    : scalar == typeof(double) ? "must be a number" : "must be a whole number"));
            }
            return;
        }

        var item = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;
        if (!hasChildren)
        {
            // JSON null gives an empty value: treat it like an absent section.
            if (!string.IsNullOrEmpty(section.Value))
            {
                errors.Add(new(path, section.Value, item is null ? "must be a section with settings" : "must be a list"));
            }
            return;
        }
        if (item is null)
        {
            CheckSection(section, path, type, errors, checkUnknown: true);
            return;
        }
        foreach (var child in section.GetChildren())
        {
            CheckValue(child, Join(path, child.Key), item, errors);
        }
    }

    private static bool CanConvert(Type type, string text)
    {
        // The same conversion the binder performs.
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }

    private static string KeyName(PropertyInfo property) =>
        property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? char.ToLowerInvariant(property.Name[0]) + property.Name[1..];

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}:{key}";
}
