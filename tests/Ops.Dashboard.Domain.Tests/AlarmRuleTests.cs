using Microsoft.Extensions.Configuration;

namespace Ops.Dashboard.Domain.Tests;

public class AlarmRuleTests
{
    /// <summary>billing and tech 24/7 (target 80), sales business hours (70), social 24/7 (95).</summary>
    internal static OpsOptions Site() => new OpsOptions
    {
        Site = new SiteOptions { Name = "Test Site", TimeZoneId = "Europe/Berlin" },
        Queues =
        [
            new QueueOptions { Id = "billing", Name = "Billing", Channel = "phone", SlThresholdSeconds = 20, SlTargetPercent = 80 },
            new QueueOptions { Id = "tech", Name = "Tech", Channel = "phone", SlThresholdSeconds = 30, SlTargetPercent = 80 },
            new QueueOptions { Id = "sales", Name = "Sales", Channel = "phone", SlThresholdSeconds = 30, SlTargetPercent = 70, Hours = "business" },
            new QueueOptions { Id = "social", Name = "Social", Channel = "social", SlThresholdSeconds = 86400, SlTargetPercent = 95 },
        ],
        Ingestion = new IngestionOptions { ApiKeys = [new ApiKeyOptions { Name = "demo", Key = "0123456789abcdef" }] },
    }.ApplyDefaults();

    private static OpsOptions ValidOptions()
    {
        var options = Site();
        options.Webhooks.Targets.Add(new WebhookTargetOptions { Name = "shift-lead", Url = "https://chat.example/hook", Secret = "0123456789abcdef" });
        options.Alarms = new AlarmOptions
        {
            EscalationTargets = ["shift-lead"],
            Rules =
            [
                new AlarmRuleOptions { Id = "sl-target", Name = "SL below target", Kind = "serviceLevelBelow", Queues = ["billing", "social"] },
                new AlarmRuleOptions { Id = "waiting", Name = "Waiting", Kind = "waitingAbove", Queues = ["billing"], Raise = 10, Clear = 5 },
                new AlarmRuleOptions { Id = "silent", Name = "Silent source", Kind = "sourceSilent", Raise = 10 },
                new AlarmRuleOptions { Id = "no-agent", Name = "No agent", Kind = "noAgentAvailable", Severity = "critical" },
            ],
        };
        return options;
    }

    private static IReadOnlyList<AlarmRule> Compile(params AlarmRuleOptions[] rules) =>
        new AlarmOptions { Rules = [.. rules] }.Compile(Site());

    [Fact]
    public void The_valid_rules_have_no_errors() => Assert.Empty(OpsOptionsValidator.Validate(ValidOptions()));

    [Fact]
    public void A_forecast_deviation_rule_needs_20_forecast_contacts_unless_it_says_otherwise()
    {
        var rules = Compile(
            new AlarmRuleOptions { Id = "fd", Name = "FD", Kind = "forecastDeviation", Raise = 50, Clear = 30 },
            new AlarmRuleOptions { Id = "fd-5", Name = "FD", Kind = "forecastDeviation", Raise = 50, MinVolume = 5 },
            new AlarmRuleOptions { Id = "w", Name = "W", Kind = "waitingAbove", Raise = 10 });

        Assert.Equal([20.0, 5.0, 0.0], rules.Select(r => r.MinVolume));
    }

    [Fact]
    public void Omitted_settings_take_their_defaults()
    {
        var rule = Assert.Single(Compile(new AlarmRuleOptions { Id = "w", Name = "W", Kind = "waitingAbove", Raise = 10 }));

        Assert.Equal(AlarmKind.WaitingAbove, rule.Kind);
        Assert.Equal(AlarmSeverity.Warning, rule.Severity);
        Assert.Equal(AlarmDirection.Above, rule.Direction);
        Assert.Equal(TimeSpan.FromSeconds(60), rule.For);
        Assert.Equal(TimeSpan.FromSeconds(60), rule.ClearFor);
        Assert.Null(rule.Window);
        Assert.Equal(["billing", "tech", "sales", "social"], rule.Queues);
        Assert.Equal(new AlarmThreshold(AlarmDirection.Above, 10, null), rule.ThresholdFor("sales"));
        Assert.Null(rule.ThresholdFor("unknown"));

        var options = new AlarmOptions();
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(5)), (options.AcknowledgeWithin, options.EvaluateEvery));
    }

    [Fact]
    public void Clear_duration_defaults_to_the_raise_duration_and_can_differ()
    {
        var rules = Compile(
            new AlarmRuleOptions { Id = "a", Name = "A", Kind = "abandonRateAbove", Raise = 10, ForSeconds = 120 },
            new AlarmRuleOptions { Id = "b", Name = "B", Kind = "abandonRateAbove", Raise = 10, ForSeconds = 120, ClearForSeconds = 0, WindowMinutes = 60 });

        Assert.Equal((TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(120), TimeSpan.FromMinutes(30)), (rules[0].For, rules[0].ClearFor, rules[0].Window));
        Assert.Equal((TimeSpan.FromSeconds(120), TimeSpan.Zero, TimeSpan.FromMinutes(60)), (rules[1].For, rules[1].ClearFor, rules[1].Window));
    }

    [Fact]
    public void Service_level_without_raise_uses_each_queues_target_and_points_below()
    {
        var rule = Assert.Single(Compile(new AlarmRuleOptions { Id = "sl", Name = "SL", Kind = "serviceLevelBelow", Queues = ["billing", "sales"], Clear = 85 }));

        Assert.Equal(AlarmDirection.Below, rule.Direction);
        Assert.Equal(["billing", "sales"], rule.Queues);
        Assert.Equal(new AlarmThreshold(AlarmDirection.Below, 80, 85), rule.ThresholdFor("billing"));
        Assert.Equal(new AlarmThreshold(AlarmDirection.Below, 70, 85), rule.ThresholdFor("sales"));
        Assert.Null(rule.ThresholdFor("tech"));
    }

    [Fact]
    public void No_agent_available_watches_the_24_7_queues_with_fixed_thresholds()
    {
        var rule = Assert.Single(Compile(new AlarmRuleOptions { Id = "n", Name = "N", Kind = "noAgentAvailable" }));

        Assert.Equal(["billing", "tech", "social"], rule.Queues);
        Assert.Equal(new AlarmThreshold(AlarmDirection.Above, 1, 0), rule.ThresholdFor("tech"));
    }

    [Fact]
    public void Source_silent_watches_any_source_unless_sources_are_listed()
    {
        var rules = Compile(
            new AlarmRuleOptions { Id = "any", Name = "Any", Kind = "sourceSilent", Raise = 10 },
            new AlarmRuleOptions { Id = "listed", Name = "Listed", Kind = "sourceSilent", Raise = 5, Sources = ["acd", "tickets"] });

        Assert.Empty(rules[0].Queues);
        Assert.Equal(new AlarmThreshold(AlarmDirection.Above, 10, null), rules[0].ThresholdFor("whatever-sends"));
        Assert.Equal(["acd", "tickets"], rules[1].Sources);
        Assert.NotNull(rules[1].ThresholdFor("acd"));
        Assert.Null(rules[1].ThresholdFor("whatever-sends"));
    }

    [Fact]
    public void Compile_refuses_an_invalid_configuration_and_names_the_problem()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            Compile(new AlarmRuleOptions { Id = "w", Name = "W", Kind = "waitingAbove", Raise = 10, Clear = 12 }));

        Assert.Contains("alarms.rules[0].clear = 12, must be below raise (10)", e.Message);
    }

    [Fact]
    public void Kind_and_severity_names_are_exactly_the_config_spellings()
    {
        foreach (var kind in Enum.GetValues<AlarmKind>())
        {
            Assert.True(AlarmKinds.TryParse(kind.Name(), out var parsed));
            Assert.Equal(kind, parsed);
        }
        Assert.Equal("serviceLevelBelow", AlarmKind.ServiceLevelBelow.Name());
        Assert.False(AlarmKinds.TryParse("ServiceLevelBelow", out _));
        Assert.False(AlarmKinds.TryParse("0", out _));
        Assert.True(AlarmKinds.TryParseSeverity("critical", out var severity));
        Assert.Equal(AlarmSeverity.Critical, severity);
        Assert.False(AlarmKinds.TryParseSeverity("Critical", out _));
    }

    [Theory]
    [InlineData(AlarmDirection.Above, 10.0, 5.0, 10.0, true, false)]
    [InlineData(AlarmDirection.Above, 10.0, 5.0, 9.99, false, false)]
    [InlineData(AlarmDirection.Above, 10.0, 5.0, 5.0, false, true)]
    [InlineData(AlarmDirection.Above, 10.0, null, 9.99, false, true)]
    [InlineData(AlarmDirection.Below, 80.0, 85.0, 79.9, true, false)]
    [InlineData(AlarmDirection.Below, 80.0, 85.0, 80.0, false, false)]
    [InlineData(AlarmDirection.Below, 80.0, 85.0, 85.0, false, true)]
    [InlineData(AlarmDirection.Below, 80.0, null, 80.0, false, true)]
    public void Thresholds_leave_a_band_between_raise_and_clear(AlarmDirection direction, double raise, double? clear, double value, bool raises, bool clears)
    {
        var threshold = new AlarmThreshold(direction, raise, clear);
        Assert.Equal((raises, clears), (threshold.RaiseHolds(value), threshold.ClearHolds(value)));
    }

    [Fact]
    public void The_repository_alarm_rules_are_valid_against_the_repository_queues()
    {
        var dir = ConfigValidationTests.RepositoryConfigDirectory();
        var options = new OpsOptions();
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(dir, "site.json"))
            .AddJsonFile(Path.Combine(dir, "queues.json"))
            .AddJsonFile(Path.Combine(dir, "alarms.json"))
            .Build()
            .Bind(options);
        options.ApplyDefaults();

        Assert.Empty(OpsOptionsValidator.ValidateAlarms(options.Alarms, options.Queues));
        var rules = options.Alarms.Compile(options);
        Assert.Equal(Enum.GetValues<AlarmKind>().Order(), rules.Select(r => r.Kind).Distinct().Order());
        Assert.Equal(TimeSpan.FromMinutes(15), options.Alarms.AcknowledgeWithin);
        var sl = rules.First(r => r.Kind == AlarmKind.ServiceLevelBelow);
        Assert.Equal(options.FindQueue("sales")!.SlTargetPercent, sl.ThresholdFor("sales")!.Raise);
        Assert.All(rules.Where(r => r.Kind == AlarmKind.NoAgentAvailable).SelectMany(r => r.Queues),
            q => Assert.True(options.FindQueue(q)!.IsAlwaysOpen));
    }

    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        // case name, key, value, rule fragment
        { "kind unknown", "alarms:rules:1:kind", "queueTooLong", "must be one of serviceLevelBelow, waitingAbove, longestWaitAbove, abandonRateAbove, noAgentAvailable, sourceSilent, forecastDeviation, agentErrorEscalations" },
        { "kind missing", "alarms:rules:1:kind", null, "must be one of serviceLevelBelow" },
        { "kind wrong case", "alarms:rules:1:kind", "WaitingAbove", "must be one of" },
        { "id missing", "alarms:rules:1:id", null, "required" },
        { "id pattern", "alarms:rules:1:id", "Waiting_Above", "must match ^[a-z0-9][a-z0-9-]{0,63}$" },
        { "id duplicate", "alarms:rules:1:id", "sl-target", "duplicate rule id, already used by alarms.rules[0]" },
        { "name missing", "alarms:rules:1:name", null, "required" },
        { "severity unknown", "alarms:rules:1:severity", "urgent", "must be one of info, warning, critical" },
        { "queue unknown", "alarms:rules:1:queues:0", "biling", "unknown queue id (known: billing, tech, sales, social)" },
        { "queue listed twice", "alarms:rules:0:queues:2", "billing", "listed twice" },
        { "no agent on a business-hours queue", "alarms:rules:3:queues:0", "sales", "24/7 queues only" },
        { "queues on source silent", "alarms:rules:2:queues", "billing", "not used by sourceSilent" },
        { "sources on a queue rule", "alarms:rules:1:sources", "acd", "not used by waitingAbove (only by sourceSilent)" },
        { "source name blank", "alarms:rules:2:sources:0", null, "required (a source name)" },
        { "raise missing", "alarms:rules:1:raise", null, "required for waitingAbove (contacts)" },
        { "raise zero", "alarms:rules:1:raise", "0", "must be greater than 0 and at most 10000 (contacts)" },
        { "percent raise above 100", "alarms:rules:0:raise", "180", "must be greater than 0 and at most 100 (percent)" },
        { "longest wait raise above a week", "alarms:rules:1:raise", "1000000", "at most 604800 (seconds)" },
        { "raise on no agent", "alarms:rules:3:raise", "1", "must be omitted: noAgentAvailable has fixed thresholds" },
        { "clear on no agent", "alarms:rules:3:clear", "0", "must be omitted" },
        { "clear above raise", "alarms:rules:1:clear", "12", "must be below raise (10)" },
        { "clear equal to raise", "alarms:rules:1:clear", "10", "must be below raise (10)" },
        { "clear negative", "alarms:rules:1:clear", "-1", "must be 0–10000 (contacts)" },
        { "service level clear below raise", "alarms:rules:0:clear", "75", "must be above raise (80)" },
        { "service level clear below a queue target", "alarms:rules:0:clear", "90", "must be above raise, which is the queue's SL target (social 95)" },
        { "service level clear above 100", "alarms:rules:0:clear", "101", "must be 0–100 (percent)" },
        { "for seconds negative", "alarms:rules:1:forSeconds", "-5", "must be 0–86400" },
        { "clear for seconds too long", "alarms:rules:1:clearForSeconds", "90000", "must be 0–86400" },
        { "window too short", "alarms:rules:0:windowMinutes", "10", "must be 15–240" },
        { "window on a kind without one", "alarms:rules:1:windowMinutes", "30", "not used by waitingAbove" },
        { "min volume on a kind without one", "alarms:rules:1:minVolume", "5", "not used by waitingAbove (only by forecastDeviation)" },
        { "min volume negative", "alarms:rules:1:minVolume", "-1", "must be 0–100000 (contacts)" },
        { "acknowledge within zero", "alarms:acknowledgeWithinMinutes", "0", "must be 1–1440" },
        { "evaluate every zero", "alarms:evaluateEverySeconds", "0", "must be 1–300" },
        { "escalation target blank", "alarms:escalationTargets:1", null, "required (the name of a webhook target)" },
        { "escalation target twice", "alarms:escalationTargets:1", "shift-lead", "listed twice" },
    };

    private static readonly Dictionary<string, Action<AlarmOptions>> Mutations = new()
    {
        ["kind unknown"] = a => a.Rules[1].Kind = "queueTooLong",
        ["kind missing"] = a => a.Rules[1].Kind = "",
        ["kind wrong case"] = a => a.Rules[1].Kind = "WaitingAbove",
        ["id missing"] = a => a.Rules[1].Id = "",
        ["id pattern"] = a => a.Rules[1].Id = "Waiting_Above",
        ["id duplicate"] = a => a.Rules[1].Id = "sl-target",
        ["name missing"] = a => a.Rules[1].Name = " ",
        ["severity unknown"] = a => a.Rules[1].Severity = "urgent",
        ["queue unknown"] = a => a.Rules[1].Queues[0] = "biling",
        ["queue listed twice"] = a => a.Rules[0].Queues.Add("billing"),
        ["no agent on a business-hours queue"] = a => a.Rules[3].Queues.Add("sales"),
        ["queues on source silent"] = a => a.Rules[2].Queues.Add("billing"),
        ["sources on a queue rule"] = a => a.Rules[1].Sources.Add("acd"),
        ["source name blank"] = a => a.Rules[2].Sources.Add(""),
        ["raise missing"] = a => a.Rules[1].Raise = null,
        ["raise zero"] = a => a.Rules[1].Raise = 0,
        ["percent raise above 100"] = a => a.Rules[0].Raise = 180,
        ["longest wait raise above a week"] = a => (a.Rules[1].Kind, a.Rules[1].Raise, a.Rules[1].Clear) = ("longestWaitAbove", 1_000_000, null),
        ["raise on no agent"] = a => a.Rules[3].Raise = 1,
        ["clear on no agent"] = a => a.Rules[3].Clear = 0,
        ["clear above raise"] = a => a.Rules[1].Clear = 12,
        ["clear equal to raise"] = a => a.Rules[1].Clear = 10,
        ["clear negative"] = a => a.Rules[1].Clear = -1,
        ["service level clear below raise"] = a => (a.Rules[0].Raise, a.Rules[0].Clear) = (80, 75),
        ["service level clear below a queue target"] = a => a.Rules[0].Clear = 90,
        ["service level clear above 100"] = a => a.Rules[0].Clear = 101,
        ["for seconds negative"] = a => a.Rules[1].ForSeconds = -5,
        ["clear for seconds too long"] = a => a.Rules[1].ClearForSeconds = 90_000,
        ["window too short"] = a => a.Rules[0].WindowMinutes = 10,
        ["window on a kind without one"] = a => a.Rules[1].WindowMinutes = 30,
        ["min volume on a kind without one"] = a => a.Rules[1].MinVolume = 5,
        ["min volume negative"] = a => (a.Rules[1].Kind, a.Rules[1].MinVolume) = ("forecastDeviation", -1),
        ["acknowledge within zero"] = a => a.AcknowledgeWithinMinutes = 0,
        ["evaluate every zero"] = a => a.EvaluateEverySeconds = 0,
        ["escalation target blank"] = a => a.EscalationTargets.Add(" "),
        ["escalation target twice"] = a => a.EscalationTargets.Add("shift-lead"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_bad_alarm_setting_reports_the_key_value_and_rule(string name, string key, string? value, string rule)
    {
        var options = ValidOptions();
        Mutations[name](options.Alarms);

        var error = Assert.Single(OpsOptionsValidator.Validate(options));

        Assert.Equal(key, error.Key);
        Assert.Equal(value, error.Value);
        Assert.Contains(rule, error.Rule);
    }

    [Fact]
    public void Every_alarm_case_has_a_mutation() =>
        Assert.Equal(Mutations.Keys.Order(), Cases().Select(row => (string)row[0]).Order());

    [Fact]
    public void An_alarm_error_reads_as_file_path_value_rule()
    {
        var options = ValidOptions();
        options.Alarms.Rules[0].Raise = 180;

        var error = Assert.Single(OpsOptionsValidator.Validate(options));

        Assert.Equal("alarms.rules[0].raise = 180, must be greater than 0 and at most 100 (percent)", error.ToString());
    }

    [Fact]
    public void Several_bad_rules_are_reported_together()
    {
        var options = ValidOptions();
        options.Alarms.Rules[0].Severity = "loud";
        options.Alarms.Rules[1].Queues[0] = "nope";
        options.Alarms.Rules[1].Clear = 50;
        options.Alarms.Rules[2].Raise = null;

        Assert.Equal(["alarms:rules:0:severity", "alarms:rules:1:queues:0", "alarms:rules:1:clear", "alarms:rules:2:raise"],
            OpsOptionsValidator.Validate(options).Select(e => e.Key));
    }

    [Fact]
    public void An_invalid_queue_target_is_reported_once_and_not_again_by_the_alarm_rules()
    {
        var options = ValidOptions();
        options.Alarms.Rules[0].Clear = 90;
        options.Queues[3].SlTargetPercent = 180;

        Assert.Equal(["queues:3:slTargetPercent"], OpsOptionsValidator.Validate(options).Select(e => e.Key));
    }

    [Fact]
    public void No_alarm_rules_is_a_valid_configuration()
    {
        var options = Site();
        Assert.Empty(OpsOptionsValidator.Validate(options));
        Assert.Empty(options.Alarms.Compile(options));
    }
}
