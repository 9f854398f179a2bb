using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ops.Dashboard.Domain;
using Ops.Dashboard.Web;

namespace Ops.Dashboard.Web.Tests;

/// <summary>
/// Loads the site configuration the way the host does, from a temporary copy of the repository's
/// config/ so each test can break one file. Environment variables are set only under a prefix unique
/// to the test, because the process environment is shared with tests running in parallel.
/// </summary>
public sealed class ConfigTests : IDisposable
{
    private readonly string _dir;

    public ConfigTests()
    {
        var source = RepositoryConfigDirectory();
        _dir = Directory.CreateTempSubdirectory("ops-config-").FullName;
        foreach (var file in Directory.GetFiles(source, "*.json"))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private WebApplicationBuilder Builder(params string[] args) =>
        WebApplication.CreateBuilder(new WebApplicationOptions { Args = [$"--Ops:ConfigDirectory={_dir}", .. args] });

    private void Edit(string file, Action<JsonNode> edit)
    {
        var path = Path.Combine(_dir, file);
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
    }

    private static string[] Lines(OpsConfigurationException e) => e.Message.Split(Environment.NewLine);

    private static OpsOptions Options(WebApplicationBuilder builder) =>
        builder.Services.BuildServiceProvider().GetRequiredService<OpsOptions>();

    [Fact]
    public void The_repository_config_is_found_from_the_test_directory_and_is_valid()
    {
        var builder = WebApplication.CreateBuilder();

        var directory = OpsConfigurationExtensions.FindConfigDirectory(builder.Configuration, builder.Environment.ContentRootPath);
        builder.AddOpsConfiguration();

        Assert.Equal(RepositoryConfigDirectory(), directory);
        Assert.Equal("Nordlicht Support", Options(builder).Site.Name);
    }

    [Fact]
    public void A_bad_queue_value_names_the_file_key_value_and_rule()
    {
        Edit("queues.json", root => root["queues"]![2]!["slTargetPercent"] = 180);

        var e = Assert.Throws<OpsConfigurationException>(() => Builder().AddOpsConfiguration());

        Assert.Contains("queues.json: queues[2].slTargetPercent = 180, must be 0–100", e.Message);
        Assert.Contains(Lines(e), line => line == $"{_dir}/queues.json: queues[2].slTargetPercent = 180, must be 0–100");
    }

    [Fact]
    public void Every_error_is_listed_with_the_file_it_belongs_to()
    {
        Edit("site.json", root => root["site"]!.AsObject().Remove("name"));
        Edit("queues.json", root =>
        {
            root["queues"]![2]!["slTargetPercent"] = 180;
            root["queues"]![4]!["channel"] = "fax";
        });
        Edit("ingestion.json", root => root["ingestion"]!["maxBatchEvents"] = 0);

        var e = Assert.Throws<OpsConfigurationException>(() => Builder().AddOpsConfiguration());

        Assert.Equal(
        [
            $"{_dir}/site.json: site.name = (missing), required",
            $"{_dir}/queues.json: queues[2].slTargetPercent = 180, must be 0–100",
            $"{_dir}/queues.json: queues[4].channel = fax, must be one of phone, chat, messenger, email, ticket, social",
            $"{_dir}/ingestion.json: ingestion.maxBatchEvents = 0, must be 1–100000",
        ], e.Problems);
        Assert.StartsWith("Ops.Dashboard cannot start: 4 configuration errors", e.Message);
        Assert.Equal(5, Lines(e).Length);
    }

    [Fact]
    public void An_in_memory_override_wins_over_the_file()
    {
        Edit("queues.json", root => root["queues"]![2]!["slTargetPercent"] = 180);
        var builder = Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Queues:2:SlTargetPercent"] = "95" });

        builder.AddOpsConfiguration();

        Assert.Equal(95, Options(builder).Queues[2].SlTargetPercent);
    }

    [Fact]
    public void A_bad_in_memory_override_is_named_as_the_source()
    {
        var builder = Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["queues:2:slTargetPercent"] = "150" });

        var e = Assert.Throws<OpsConfigurationException>(() => builder.AddOpsConfiguration());

        Assert.Equal(["in-memory configuration: queues[2].slTargetPercent = 150, must be 0–100"], e.Problems);
    }

    [Fact]
    public void An_environment_variable_wins_over_the_file_and_is_named_as_the_source()
    {
        var prefix = $"OPSTEST_{Guid.NewGuid():N}_";
        try
        {
            Environment.SetEnvironmentVariable($"{prefix}Queues__2__SlTargetPercent", "90");
            var good = Builder();
            good.Configuration.AddEnvironmentVariables(prefix);
            good.AddOpsConfiguration();
            Assert.Equal(90, Options(good).Queues[2].SlTargetPercent);

            Environment.SetEnvironmentVariable($"{prefix}Queues__2__SlTargetPercent", null);
            Environment.SetEnvironmentVariable($"{prefix}QUEUES__2__SLTARGETPERCENT", "190");
            var bad = Builder();
            bad.Configuration.AddEnvironmentVariables(prefix);
            var e = Assert.Throws<OpsConfigurationException>(() => bad.AddOpsConfiguration());
            Assert.Equal([$"environment variable {prefix}QUEUES__2__SLTARGETPERCENT: queues[2].slTargetPercent = 190, must be 0–100"], e.Problems);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"{prefix}Queues__2__SlTargetPercent", null);
            Environment.SetEnvironmentVariable($"{prefix}QUEUES__2__SLTARGETPERCENT", null);
        }
    }

    [Fact]
    public void A_command_line_argument_wins_over_the_file_and_is_named_as_the_source()
    {
        var good = Builder("--queues:2:slTargetPercent=75");
        good.AddOpsConfiguration();
        Assert.Equal(75, Options(good).Queues[2].SlTargetPercent);

        var e = Assert.Throws<OpsConfigurationException>(() => Builder("--queues:2:slTargetPercent=170").AddOpsConfiguration());
        Assert.Equal(["command line: queues[2].slTargetPercent = 170, must be 0–100"], e.Problems);
    }

    [Fact]
    public void The_files_sit_above_appsettings_and_below_environment_and_command_line()
    {
        var builder = Builder();
        builder.AddOpsConfiguration();

        var sources = builder.Configuration.Sources;
        var ops = sources.OfType<JsonConfigurationSource>().Where(s => s.Path is "site.json" or "queues.json" or "shifts.json" or "ingestion.json")
            .Select(sources.IndexOf).ToList();
        var appsettings = sources.OfType<JsonConfigurationSource>().Where(s => s.Path!.StartsWith("appsettings", StringComparison.Ordinal)).Select(sources.IndexOf).ToList();
        var lastEnvironment = sources.Select((s, i) => (s, i)).Last(p => p.s is EnvironmentVariablesConfigurationSource).i;

        Assert.Equal(4, ops.Count);
        Assert.Equal(Enumerable.Range(ops[0], 4), ops);
        Assert.NotEmpty(appsettings);
        Assert.True(appsettings.Max() < ops[0]);
        Assert.True(ops[^1] < lastEnvironment);
    }

    [Fact]
    public void OPS_API_KEY_adds_a_key_named_env()
    {
        File.Delete(Path.Combine(_dir, "ingestion.json"));
        var builder = Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OPS_API_KEY"] = "from-environment-0123456789" });

        builder.AddOpsConfiguration();

        var key = Assert.Single(Options(builder).Ingestion.ApiKeys);
        Assert.Equal(("env", "from-environment-0123456789"), (key.Name, key.Key));
    }

    [Fact]
    public void OPS_API_KEY_from_the_environment_is_added_after_the_file_keys()
    {
        var prefix = $"OPSTEST_{Guid.NewGuid():N}_";
        try
        {
            Environment.SetEnvironmentVariable($"{prefix}OPS_API_KEY", "from-environment-0123456789");
            var builder = Builder();
            builder.Configuration.AddEnvironmentVariables(prefix);

            builder.AddOpsConfiguration();

            Assert.Equal(["demo", "env"], Options(builder).Ingestion.ApiKeys.Select(k => k.Name));
        }
        finally
        {
            Environment.SetEnvironmentVariable($"{prefix}OPS_API_KEY", null);
        }
    }

    [Fact]
    public void OPS_API_KEY_equal_to_a_file_key_is_not_added_twice()
    {
        var builder = Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OPS_API_KEY"] = "demo-key-change-me-0123456789" });

        builder.AddOpsConfiguration();

        Assert.Equal(["demo"], Options(builder).Ingestion.ApiKeys.Select(k => k.Name));
    }

    [Fact]
    public void A_short_OPS_API_KEY_is_reported_without_its_value()
    {
        var builder = Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OPS_API_KEY"] = "tiny" });

        var e = Assert.Throws<OpsConfigurationException>(() => builder.AddOpsConfiguration());

        Assert.Equal(["in-memory configuration: OPS_API_KEY = (4 characters), must be at least 16 characters"], e.Problems);
    }

    [Fact]
    public void Without_any_api_key_the_missing_key_is_blamed_on_ingestion_json()
    {
        File.Delete(Path.Combine(_dir, "ingestion.json"));

        var e = Assert.Throws<OpsConfigurationException>(() => Builder().AddOpsConfiguration());

        Assert.Equal([$"{_dir}/ingestion.json: ingestion.apiKeys = (missing), at least one API key is required (add one or set OPS_API_KEY)"], e.Problems);
    }

    [Fact]
    public void A_value_that_cannot_be_converted_is_reported_once_and_other_errors_still_appear()
    {
        Edit("queues.json", root =>
        {
            root["queues"]![1]!["slThresholdSeconds"] = "thirty";
            root["queues"]![2]!["slTargetPercent"] = 180;
            root["queues"]![3]!["critical"] = "yes";
        });

        var e = Assert.Throws<OpsConfigurationException>(() => Builder().AddOpsConfiguration());

        Assert.Equal(
        [
            $"{_dir}/queues.json: queues[1].slThresholdSeconds = thirty, must be a whole number",
            $"{_dir}/queues.json: queues[2].slTargetPercent = 180, must be 0–100",
            $"{_dir}/queues.json: queues[3].critical = yes, must be true or false",
        ], e.Problems);
    }

    [Fact]
    public void A_misspelt_key_is_reported_instead_of_silently_ignored()
    {
        Edit("queues.json", root => root["queues"]![0]!["slTargetPrecent"] = 90);

        var e = Assert.Throws<OpsConfigurationException>(() => Builder().AddOpsConfiguration());

        var line = Assert.Single(e.Problems);
        Assert.StartsWith($"{_dir}/queues.json: queues[0].slTargetPrecent = 90, unknown setting", line);
    }

    [Fact]
    public void An_added_queue_with_its_own_index_is_reported_under_that_index()
    {
        var builder = Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["queues:9:id"] = "vip",
            ["queues:9:slThresholdSeconds"] = "20",
            ["queues:9:slTargetPercent"] = "90",
        });

        var e = Assert.Throws<OpsConfigurationException>(() => builder.AddOpsConfiguration());

        Assert.Equal(["in-memory configuration: queues[9].channel = (missing), must be one of phone, chat, messenger, email, ticket, social"], e.Problems);
    }

    [Fact]
    public void A_missing_required_file_is_named()
    {
        File.Delete(Path.Combine(_dir, "queues.json"));

        var e = Assert.Throws<OpsConfigurationException>(() => Builder().AddOpsConfiguration());

        Assert.Equal([$"{_dir}/queues.json: file not found (required)"], e.Problems);
    }

    [Fact]
    public void Broken_json_is_named_with_its_file()
    {
        File.WriteAllText(Path.Combine(_dir, "shifts.json"), "{ \"shifts\": [ { \"id\": \"frueh\", } ");

        var e = Assert.Throws<OpsConfigurationException>(() => Builder().AddOpsConfiguration());

        Assert.StartsWith($"{_dir}/shifts.json: not valid JSON: ", Assert.Single(e.Problems));
        Assert.Contains("LineNumber", e.Message);
    }

    [Fact]
    public void A_configured_directory_that_does_not_exist_is_reported()
    {
        var missing = Path.Combine(_dir, "nope");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [$"--Ops:ConfigDirectory={missing}"] });

        var e = Assert.Throws<OpsConfigurationException>(() => builder.AddOpsConfiguration());

        Assert.StartsWith($"Ops:ConfigDirectory = {missing}, directory not found", Assert.Single(e.Problems));
    }

    [Fact]
    public void Shift_defaults_apply_when_shifts_json_is_absent()
    {
        File.Delete(Path.Combine(_dir, "shifts.json"));
        var builder = Builder();

        builder.AddOpsConfiguration();

        Assert.Equal(["08:00-16:00", "16:00-00:00", "00:00-08:00"], Options(builder).Shifts.Select(s => $"{s.Start}-{s.End}"));
    }

    [Fact]
    public void The_options_the_clock_and_IOptions_are_registered()
    {
        var builder = Builder();
        builder.AddOpsConfiguration();
        using var app = builder.Build();

        var options = app.Services.GetRequiredService<OpsOptions>();
        Assert.Same(options, app.Services.GetRequiredService<IOptions<OpsOptions>>().Value);
        Assert.Equal("Europe/Berlin", app.Services.GetRequiredService<SiteClock>().TimeZone.Id);
        Assert.NotNull(options.FindQueue("billing"));
    }

    [Fact]
    public void RunOrExplain_prints_the_message_and_returns_1()
    {
        Assert.Equal(0, OpsConfigurationExtensions.RunOrExplain(() => { }));

        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            var code = OpsConfigurationExtensions.RunOrExplain(() => throw new OpsConfigurationException("header", ["line one"]));
            Assert.Equal(1, code);
        }
        finally
        {
            Console.SetError(original);
        }
        Assert.Equal($"header{Environment.NewLine}line one{Environment.NewLine}", error.ToString());
    }

    private static string RepositoryConfigDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "config");
            if (File.Exists(Path.Combine(candidate, "site.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("config/site.json not found above " + AppContext.BaseDirectory);
    }
}
