using Microsoft.Extensions.Configuration;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Domain.Tests;

public class ConfigValidationTests
{
    private static OpsOptions ValidOptions() => new OpsOptions
    {
        Site = new SiteOptions
        {
            Name = "Test Site",
            TimeZoneId = "Europe/Berlin",
            BusinessHours = new BusinessHoursOptions { Monday = "08:00-20:00", Saturday = "09:00-14:00", Sunday = "" },
            Holidays = [new HolidayOptions { Date = "2026-12-25", Name = "Weihnachten" }],
        },
        Queues =
        [
            new QueueOptions { Id = "billing", Name = "Billing", Channel = "phone", SlThresholdSeconds = 20, SlTargetPercent = 80, Critical = true },
            new QueueOptions { Id = "tech", Name = "Tech", Channel = "phone", SlThresholdSeconds = 30, SlTargetPercent = 80 },
            new QueueOptions { Id = "chat", Name = "Chat", Channel = "messenger", SlThresholdSeconds = 60, SlTargetPercent = 80, Hours = "business" },
        ],
        Ingestion = new IngestionOptions { ApiKeys = [new ApiKeyOptions { Name = "demo", Key = "0123456789abcdef" }] },
    }.ApplyDefaults();

    private static ConfigError Single(Action<OpsOptions> mutate)
    {
        var options = ValidOptions();
        mutate(options);
        return Assert.Single(OpsOptionsValidator.Validate(options));
    }

    [Fact]
    public void A_valid_configuration_has_no_errors() => Assert.Empty(OpsOptionsValidator.Validate(ValidOptions()));

    [Fact]
    public void Demo_users_and_webhook_targets_are_checked_without_echoing_secrets()
    {
        var options = ValidOptions();
        options.Access.DemoUsers.Add(new DemoUserOptions { UserName = "boss", Password = "long-enough-pw", Role = "Overlord" });
        options.Access.DemoUsers.Add(new DemoUserOptions { UserName = "BOSS", Password = "short", Role = "Admin" });
        options.Webhooks.Control.Add(new WebhookTargetOptions { Name = "acd", Url = "ftp://acd.example", Secret = "tiny-secret" });

        var errors = OpsOptionsValidator.Validate(options).Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.StartsWith("access.demoUsers[0].role = Overlord, must be one of Agent,", StringComparison.Ordinal));
        Assert.Contains("access.demoUsers[1].userName = BOSS, duplicate user name", errors);
        Assert.Contains("access.demoUsers[1].password = (hidden), must have at least 10 characters", errors);
        Assert.Contains("webhooks.control[0].url = ftp://acd.example, must be an absolute http or https URL", errors);
        Assert.Contains("webhooks.control[0].secret = (hidden), must have at least 16 characters", errors);
        Assert.DoesNotContain(errors, e => e.Contains("tiny-secret") || e.Contains("short,"));
    }

    [Fact]
    public void Alarm_notifications_must_name_webhook_targets_that_exist()
    {
        var options = ValidOptions();
        options.Webhooks.Targets.Add(new WebhookTargetOptions { Name = "pager", Url = "https://pager.example/hook", Secret = "0123456789abcdef" });
        options.Alarms.NotifyTargets.Add("pager");
        options.Alarms.EscalationTargets.Add("on-call");

        var errors = OpsOptionsValidator.Validate(options).Select(e => e.ToString()).ToList();

        Assert.Equal(["alarms.escalationTargets[0] = on-call, no webhook target of this name in webhooks.json (webhooks.targets)"], errors);
    }

    [Fact]
    public void The_repository_config_files_are_valid()
    {
        var options = new OpsOptions();
        var dir = RepositoryConfigDirectory();
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(dir, "site.json"))
            .AddJsonFile(Path.Combine(dir, "queues.json"))
            .AddJsonFile(Path.Combine(dir, "shifts.json"))
            .AddJsonFile(Path.Combine(dir, "ingestion.json"))
            .AddJsonFile(Path.Combine(dir, "alarms.json"))
            .Build()
            .Bind(options);
        options.ApplyDefaults();

        Assert.Empty(OpsOptionsValidator.Validate(options));
        Assert.Equal("Nordlicht Support", options.Site.Name);
        Assert.Equal(TimeSpan.FromHours(1), options.Site.TimeZone.GetUtcOffset(new DateTime(2026, 1, 15)));
        Assert.Null(options.Site.BusinessHours.For(DayOfWeek.Sunday));
        Assert.Equal(new DailyHours(TimeSpan.FromHours(9), TimeSpan.FromHours(14)), options.Site.BusinessHours.For(DayOfWeek.Saturday));
        Assert.Equal(18, options.Site.Holidays.Count);
        Assert.True(options.Queues.Count >= 6);
        var billing = options.FindQueue("billing")!;
        Assert.Equal((Channel.Phone, 20, 80.0, 5, true, true),
            (billing.ChannelKind, billing.SlThresholdSeconds, billing.SlTargetPercent, billing.ShortAbandonSeconds, billing.IsAlwaysOpen, billing.Critical));
        Assert.Equal(14400, options.FindQueue("tickets")!.SlThresholdSeconds);
        Assert.Equal(86400, options.FindQueue("social")!.SlThresholdSeconds);
        Assert.False(options.FindQueue("sales")!.IsAlwaysOpen);
        Assert.Equal(["Früh", "Spät", "Nacht"], options.Shifts.Select(s => s.Name));
        Assert.Equal(5000, options.Ingestion.MaxBatchEvents);
        Assert.Equal(4 * 1024 * 1024, options.Ingestion.MaxBatchBytes);
        Assert.NotEmpty(options.Alarms.Rules);
        Assert.Equal(15, options.Alarms.AcknowledgeWithinMinutes);
    }

    [Fact]
    public void Binding_understands_camel_case_json_and_keeps_defaults()
    {
        var options = new OpsOptions();
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["site:timeZone"] = "Europe/Berlin",
            ["QUEUES:0:ID"] = "billing",
            ["queues:0:slTargetPercent"] = "85.5",
        }).Build().Bind(options);
        options.ApplyDefaults();

        Assert.Equal("Europe/Berlin", options.Site.TimeZoneId);
        Assert.Equal(85.5, options.Queues[0].SlTargetPercent);
        Assert.Equal(5, options.Queues[0].ShortAbandonSeconds);
        Assert.Equal("24/7", options.Queues[0].Hours);
        Assert.Equal(3, options.Shifts.Count);
        Assert.Equal(5000, options.Ingestion.MaxBatchEvents);
        Assert.True(options.Ingestion.RequireApiKey);
    }

    [Fact]
    public void Default_shifts_cover_the_day_with_midnight_ends()
    {
        var shifts = ShiftOptions.DefaultTemplates();
        Assert.Equal(TimeSpan.FromHours(24), shifts.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration));
        var spaet = shifts.Single(s => s.Name == "Spät");
        Assert.True(spaet.CrossesMidnight);
        Assert.Equal(TimeSpan.FromHours(8), spaet.Duration);
    }

    [Fact]
    public void FindQueue_is_case_sensitive()
    {
        var options = ValidOptions();
        Assert.NotNull(options.FindQueue("billing"));
        Assert.Null(options.FindQueue("Billing"));
        Assert.Null(options.FindQueue("nope"));
    }

    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        // case name, key, value, rule fragment
        { "site name empty", "site:name", null, "required" },
        { "time zone unknown", "site:timeZone", "Mars/Olympus", "unknown time zone" },
        { "time zone empty", "site:timeZone", null, "required" },
        { "business hours malformed", "site:businessHours:monday", "8-20", "HH:mm-HH:mm" },
        { "business hours reversed", "site:businessHours:monday", "20:00-08:00", "start before end" },
        { "business hours past 24", "site:businessHours:monday", "08:00-24:30", "HH:mm-HH:mm" },
        { "holiday date invalid", "site:holidays:0:date", "2026-02-30", "must be a date yyyy-MM-dd" },
        { "holiday date duplicate", "site:holidays:1:date", "2026-12-25", "duplicate date" },
        { "no queues", "queues", null, "at least one queue" },
        { "queue id empty", "queues:1:id", null, "required" },
        { "queue id pattern", "queues:1:id", "Tech Support", "must match" },
        { "queue id too long", "queues:1:id", new string('a', 65), "must match" },
        { "queue id duplicate", "queues:1:id", "billing", "duplicate queue id" },
        { "channel unknown", "queues:1:channel", "fax", "must be one of phone, chat, messenger, email, ticket, social" },
        { "channel wrong case", "queues:1:channel", "Phone", "must be one of" },
        { "threshold zero", "queues:1:slThresholdSeconds", "0", "must be greater than 0" },
        { "target above 100", "queues:2:slTargetPercent", "180", "must be 0–100" },
        { "target negative", "queues:2:slTargetPercent", "-1", "must be 0–100" },
        { "short abandon above threshold", "queues:0:shortAbandonSeconds", "21", "must be 0–20" },
        { "short abandon negative", "queues:0:shortAbandonSeconds", "-1", "must be 0–20" },
        { "hours unknown", "queues:0:hours", "always", "\"24/7\" or \"business\"" },
        { "shift id empty", "shifts:0:id", null, "required" },
        { "shift id duplicate", "shifts:1:id", "frueh", "duplicate shift id" },
        { "shift start malformed", "shifts:0:start", "8:00", "must be a time HH:mm" },
        { "shift end malformed", "shifts:0:end", "24:00", "must be a time HH:mm" },
        { "shift end equals start", "shifts:0:end", "08:00", "must differ from start" },
        { "planned agents negative", "shifts:2:plannedAgents", "-3", "must be 0 or more" },
        { "no api key", "ingestion:apiKeys", null, "at least one API key" },
        { "api key short", "ingestion:apiKeys:0:key", "(5 characters)", "at least 16 characters" },
        { "api key name empty", "ingestion:apiKeys:0:name", null, "required" },
        { "api key duplicate", "ingestion:apiKeys:1:key", "(16 characters)", "duplicate key" },
        { "batch events zero", "ingestion:maxBatchEvents", "0", "must be 1–100000" },
        { "batch events too many", "ingestion:maxBatchEvents", "100001", "must be 1–100000" },
        { "batch bytes zero", "ingestion:maxBatchBytes", "0", "must be greater than 0" },
    };

    private static readonly Dictionary<string, Action<OpsOptions>> Mutations = new()
    {
        ["site name empty"] = o => o.Site.Name = " ",
        ["time zone unknown"] = o => o.Site.TimeZoneId = "Mars/Olympus",
        ["time zone empty"] = o => o.Site.TimeZoneId = "",
        ["business hours malformed"] = o => o.Site.BusinessHours.Monday = "8-20",
        ["business hours reversed"] = o => o.Site.BusinessHours.Monday = "20:00-08:00",
        ["business hours past 24"] = o => o.Site.BusinessHours.Monday = "08:00-24:30",
        ["holiday date invalid"] = o => o.Site.Holidays[0].Date = "2026-02-30",
        ["holiday date duplicate"] = o => o.Site.Holidays.Add(new HolidayOptions { Date = "2026-12-25", Name = "again" }),
        ["no queues"] = o => o.Queues.Clear(),
        ["queue id empty"] = o => o.Queues[1].Id = "",
        ["queue id pattern"] = o => o.Queues[1].Id = "Tech Support",
        ["queue id too long"] = o => o.Queues[1].Id = new string('a', 65),
        ["queue id duplicate"] = o => o.Queues[1].Id = "billing",
        ["channel unknown"] = o => o.Queues[1].Channel = "fax",
        ["channel wrong case"] = o => o.Queues[1].Channel = "Phone",
        ["threshold zero"] = o => o.Queues[1].SlThresholdSeconds = 0,
        ["target above 100"] = o => o.Queues[2].SlTargetPercent = 180,
        ["target negative"] = o => o.Queues[2].SlTargetPercent = -1,
        ["short abandon above threshold"] = o => o.Queues[0].ShortAbandonSeconds = 21,
        ["short abandon negative"] = o => o.Queues[0].ShortAbandonSeconds = -1,
        ["hours unknown"] = o => o.Queues[0].Hours = "always",
        ["shift id empty"] = o => o.Shifts[0].Id = "",
        ["shift id duplicate"] = o => o.Shifts[1].Id = "frueh",
        ["shift start malformed"] = o => o.Shifts[0].Start = "8:00",
        ["shift end malformed"] = o => o.Shifts[0].End = "24:00",
        ["shift end equals start"] = o => o.Shifts[0].End = "08:00",
        ["planned agents negative"] = o => o.Shifts[2].PlannedAgents = -3,
        ["no api key"] = o => o.Ingestion.ApiKeys.Clear(),
        ["api key short"] = o => o.Ingestion.ApiKeys[0].Key = "short",
        ["api key name empty"] = o => o.Ingestion.ApiKeys[0].Name = "",
        ["api key duplicate"] = o => o.Ingestion.ApiKeys.Add(new ApiKeyOptions { Name = "copy", Key = "0123456789abcdef" }),
        ["batch events zero"] = o => o.Ingestion.MaxBatchEvents = 0,
        ["batch events too many"] = o => o.Ingestion.MaxBatchEvents = 100_001,
        ["batch bytes zero"] = o => o.Ingestion.MaxBatchBytes = 0,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_reports_the_key_value_and_rule(string name, string key, string? value, string rule)
    {
        var error = Single(Mutations[name]);

        Assert.Equal(key, error.Key);
        Assert.Equal(value, error.Value);
        Assert.Contains(rule, error.Rule);
    }

    [Fact]
    public void Every_rule_case_has_a_mutation() =>
        Assert.Equal(Mutations.Keys.Order(), Cases().Select(row => (string)row[0]).Order());

    [Fact]
    public void Api_key_values_are_never_echoed()
    {
        var error = Single(o => o.Ingestion.ApiKeys[0].Key = "secret-too-shor");

        Assert.Equal("(15 characters)", error.Value);
        Assert.DoesNotContain("secret", error.ToString());
    }

    [Fact]
    public void Api_keys_are_optional_when_explicitly_not_required()
    {
        var options = ValidOptions();
        options.Ingestion.ApiKeys.Clear();
        options.Ingestion.RequireApiKey = false;
        Assert.Empty(OpsOptionsValidator.Validate(options));
    }

    [Fact]
    public void Closed_days_and_midnight_end_are_valid_business_hours()
    {
        var options = ValidOptions();
        options.Site.BusinessHours.Tuesday = null;
        options.Site.BusinessHours.Wednesday = "";
        options.Site.BusinessHours.Friday = "00:00-24:00";
        Assert.Empty(OpsOptionsValidator.Validate(options));
        Assert.Equal(TimeSpan.FromHours(24), options.Site.BusinessHours.For(DayOfWeek.Friday)!.Value.End);
    }

    [Fact]
    public void All_errors_are_reported_together()
    {
        var options = ValidOptions();
        options.Site.Name = "";
        options.Queues[2].SlTargetPercent = 180;
        options.Ingestion.MaxBatchEvents = 0;

        var errors = OpsOptionsValidator.Validate(options);

        Assert.Equal(["site:name", "queues:2:slTargetPercent", "ingestion:maxBatchEvents"], errors.Select(e => e.Key));
    }

    [Fact]
    public void An_invalid_short_abandon_with_invalid_threshold_gives_one_line_each()
    {
        var options = ValidOptions();
        options.Queues[0].SlThresholdSeconds = 0;
        options.Queues[0].ShortAbandonSeconds = 5;
        Assert.Equal(["queues:0:slThresholdSeconds"], OpsOptionsValidator.Validate(options).Select(e => e.Key));
    }

    [Theory]
    [InlineData("queues:2:slTargetPercent", "queues[2].slTargetPercent")]
    [InlineData("site:holidays:10:date", "site.holidays[10].date")]
    [InlineData("queues", "queues")]
    public void Display_keys_use_json_path_form(string key, string display) =>
        Assert.Equal(display, ConfigError.ToDisplayKey(key));

    [Fact]
    public void An_error_reads_as_key_value_rule() =>
        Assert.Equal("queues[2].slTargetPercent = 180, must be 0–100", new ConfigError("queues:2:slTargetPercent", "180", "must be 0–100").ToString());

    internal static string RepositoryConfigDirectory()
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
