using Dapper;
using Microsoft.Data.Sqlite;

namespace Ops.Dashboard.Storage.Tests;

public sealed class AuditLogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 3, 9, 0, 0, 500, TimeSpan.FromHours(1));

    private readonly TempDatabase _temp = new();
    private readonly AuditLog _audit;

    public AuditLogTests() => _audit = new AuditLog(_temp.Db);

    public void Dispose() => _temp.Dispose();

    private Task<AuditEntry> Append(int minute, string actor = "ana", string action = AuditActions.ViewContact,
        string? target = null, string? detail = null, bool success = true) =>
        _audit.AppendAsync(T0.AddMinutes(minute), actor, action, target, detail, "10.0.0.7", success);

    private async Task<List<long>> Ids(AuditQuery query) => (await _audit.QueryAsync(query)).Select(e => e.Id).ToList();

    [Fact]
    public async Task Append_returns_the_entry_as_stored_and_a_query_reads_it_back()
    {
        var entry = await _audit.AppendAsync(T0, "ana", AuditActions.SignInFailed, "ana", "wrong password", "2001:db8::1", success: false);

        Assert.Equal(new AuditEntry(entry.Id, T0, "ana", "sign-in-failed", "ana", "wrong password", "2001:db8::1", false), entry);
        Assert.Equal(TimeSpan.Zero, entry.At.Offset);
        Assert.Equal([entry], await _audit.QueryAsync(new AuditQuery()));
    }

    [Fact]
    public async Task Append_keeps_absent_target_detail_and_address_as_null_and_success_defaults_to_true()
    {
        await _audit.AppendAsync(T0, "system", AuditActions.SignOut, null, null, null);

        var entry = Assert.Single(await _audit.QueryAsync(new AuditQuery()));
        Assert.Null(entry.Target);
        Assert.Null(entry.Detail);
        Assert.Null(entry.Address);
        Assert.True(entry.Success);
    }

    [Fact]
    public async Task Query_returns_newest_first_by_id_even_when_times_are_out_of_order()
    {
        var a = await Append(5);
        var b = await Append(1);
        var c = await Append(3);

        Assert.Equal([c.Id, b.Id, a.Id], await Ids(new AuditQuery()));
    }

    [Fact]
    public async Task From_is_inclusive_and_To_is_exclusive()
    {
        var before = await Append(0);
        var atFrom = await Append(10);
        var inside = await Append(15);
        var atTo = await Append(20);

        Assert.Equal([inside.Id, atFrom.Id], await Ids(new AuditQuery(From: T0.AddMinutes(10), To: T0.AddMinutes(20))));
        Assert.Equal([atTo.Id, inside.Id, atFrom.Id], await Ids(new AuditQuery(From: T0.AddMinutes(10))));
        Assert.Equal([before.Id], await Ids(new AuditQuery(To: T0.AddMinutes(10))));
    }

    [Fact]
    public async Task Actor_matches_the_whole_name_in_any_case()
    {
        var ana = await Append(0, actor: "Ana");
        await Append(1, actor: "anabel");
        var anaAgain = await Append(2, actor: "ana");

        Assert.Equal([anaAgain.Id, ana.Id], await Ids(new AuditQuery(Actor: "ANA")));
        Assert.Empty(await Ids(new AuditQuery(Actor: "an")));
    }

    [Fact]
    public async Task Action_matches_the_whole_action_in_any_case()
    {
        var signIn = await Append(0, action: AuditActions.SignIn);
        await Append(1, action: AuditActions.SignInFailed);
        await Append(2, action: AuditActions.SignOut);

        Assert.Equal([signIn.Id], await Ids(new AuditQuery(Action: "SIGN-IN")));
    }

    [Fact]
    public async Task Text_finds_a_substring_of_target_or_detail_in_any_case_including_umlauts()
    {
        var byTarget = await Append(0, target: "contact C-1042", detail: null);
        var byDetail = await Append(1, target: "agent a7", detail: "moved Jürgen Müller to tech");
        await Append(2, target: "agent a8", detail: "moved to billing");
        var percent = await Append(3, target: null, detail: "100% of queue");

        Assert.Equal([byTarget.Id], await Ids(new AuditQuery(Text: "c-10")));
        Assert.Equal([byDetail.Id], await Ids(new AuditQuery(Text: "MÜLLER")));
        // The search text is literal: % and _ are not wildcards.
        Assert.Equal([percent.Id], await Ids(new AuditQuery(Text: "0%")));
        Assert.Empty(await Ids(new AuditQuery(Text: "a_7")));
        Assert.Equal(4, (await Ids(new AuditQuery(Text: ""))).Count);
    }

    [Fact]
    public async Task Filters_are_combined_with_and()
    {
        await Append(0, actor: "ana", action: AuditActions.AgentState, detail: "a7 to break");
        var match = await Append(10, actor: "ana", action: AuditActions.AgentState, detail: "a7 to available");
        await Append(11, actor: "bo", action: AuditActions.AgentState, detail: "a7 to available");
        await Append(12, actor: "ana", action: AuditActions.AgentQueues, detail: "a7 to available");
        await Append(13, actor: "ana", action: AuditActions.AgentState, detail: "a8 to available");

        var query = new AuditQuery(From: T0.AddMinutes(5), Actor: "ana", Action: AuditActions.AgentState, Text: "a7");

        Assert.Equal([match.Id], await Ids(query));
    }

    [Fact]
    public async Task Paging_with_BeforeId_walks_every_entry_once_newest_first()
    {
        var all = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            all.Add((await Append(i)).Id);
        }

        var seen = new List<long>();
        long? before = null;
        while (true)
        {
            var page = await Ids(new AuditQuery(BeforeId: before, Limit: 3));
            if (page.Count == 0)
            {
                break;
            }

            Assert.True(page.Count <= 3);
            seen.AddRange(page);
            before = page[^1];
        }

        Assert.Equal(all.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task Limit_caps_the_page_and_is_itself_capped_at_1000()
    {
        using (var connection = _temp.Db.Open())
        {
            connection.Execute(
                """
                WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005)
                INSERT INTO audit_log (at_utc_ms, actor, action, success) SELECT i, 'ana', 'view.agents', 1 FROM n;
                """);
        }

        Assert.Equal([1005L, 1004L], await Ids(new AuditQuery(Limit: 2)));
        Assert.Equal(200, (await Ids(new AuditQuery())).Count);
        Assert.Equal(AuditLog.MaxLimit, (await Ids(new AuditQuery(Limit: 5000))).Count);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _audit.QueryAsync(new AuditQuery(Limit: 0)));
    }

    [Fact]
    public async Task Actions_lists_each_action_present_once_in_order()
    {
        Assert.Empty(await _audit.ActionsAsync());
        await Append(0, action: AuditActions.ViewContact);
        await Append(1, action: AuditActions.SignIn);
        await Append(2, action: AuditActions.ViewContact);
        await Append(3, action: AuditActions.KeyRevoke);

        Assert.Equal([AuditActions.KeyRevoke, AuditActions.SignIn, AuditActions.ViewContact], await _audit.ActionsAsync());
    }

    [Theory]
    [InlineData("UPDATE audit_log SET detail = 'rewritten' WHERE id = 1;")]
    [InlineData("UPDATE audit_log SET success = 1;")]
    [InlineData("DELETE FROM audit_log WHERE id = 1;")]
    [InlineData("DELETE FROM audit_log;")] // no WHERE: SQLite's truncate shortcut must not bypass the trigger
    public async Task The_schema_refuses_to_change_or_remove_entries(string sql)
    {
        var entry = await Append(0, detail: "original", success: false);

        using var connection = _temp.Db.Open();
        var error = Assert.Throws<SqliteException>(() => connection.Execute(sql));

        Assert.Contains("append-only", error.Message);
        Assert.Equal([entry], await _audit.QueryAsync(new AuditQuery()));
    }
}
