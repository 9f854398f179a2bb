using Dapper;

namespace Ops.Dashboard.Storage.Tests;

public sealed class AccessTokenStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 3, 9, 0, 0, 250, TimeSpan.Zero);

    private readonly TempDatabase _temp = new();
    private readonly AccessTokenStore _tokens;

    public AccessTokenStoreTests() => _tokens = new AccessTokenStore(_temp.Db);

    public void Dispose() => _temp.Dispose();

    private static string Hash(char c) => new(c, 64);

    [Fact]
    public async Task Create_stores_an_active_token_that_is_found_by_id_and_by_hash()
    {
        var created = await _tokens.CreateAsync(AccessTokenKind.Ingestion, "ACD feed", "ops_ab12", Hash('a'), null, "admin", T0);

        Assert.Equal(
            new AccessTokenRecord(created.Id, AccessTokenKind.Ingestion, "ACD feed", "ops_ab12", Hash('a'), null, T0, "admin", null, null),
            created);
        Assert.True(created.Active);
        Assert.Equal(created, await _tokens.FindAsync(created.Id));
        Assert.Equal(created, await _tokens.FindActiveByHashAsync(AccessTokenKind.Ingestion, Hash('a')));
        Assert.Null(await _tokens.FindActiveByHashAsync(AccessTokenKind.Ingestion, Hash('b')));
        Assert.Null(await _tokens.FindAsync(created.Id + 1));
    }

    [Fact]
    public async Task A_hash_is_found_whether_its_hex_is_upper_or_lower_case()
    {
        var created = await _tokens.CreateAsync(AccessTokenKind.Ingestion, "feed", "p", "ABCDEF0123", null, "admin", T0);

        Assert.Equal(created.Id, (await _tokens.FindActiveByHashAsync(AccessTokenKind.Ingestion, "abcdef0123"))?.Id);
    }

    [Fact]
    public async Task List_returns_only_the_kind_asked_for_newest_first_with_revoked_ones()
    {
        var first = await _tokens.CreateAsync(AccessTokenKind.Ingestion, "one", "p1", Hash('1'), null, "admin", T0);
        var kiosk = await _tokens.CreateAsync(AccessTokenKind.Kiosk, "hall screen", "k1", Hash('k'), "main", "admin", T0.AddMinutes(1));
        var second = await _tokens.CreateAsync(AccessTokenKind.Ingestion, "two", "p2", Hash('2'), null, "admin", T0.AddMinutes(2));
        var third = await _tokens.CreateAsync(AccessTokenKind.Ingestion, "three", "p3", Hash('3'), null, "admin", T0.AddMinutes(3));
        await _tokens.RevokeAsync(second.Id, "admin", T0.AddMinutes(4));

        var ingestion = await _tokens.ListAsync(AccessTokenKind.Ingestion);

        Assert.Equal([third.Id, second.Id, first.Id], ingestion.Select(t => t.Id));
        Assert.Equal([true, false, true], ingestion.Select(t => t.Active));
        var onlyKiosk = Assert.Single(await _tokens.ListAsync(AccessTokenKind.Kiosk));
        Assert.Equal(kiosk, onlyKiosk);
        Assert.Equal("main", onlyKiosk.Board);
    }

    [Fact]
    public async Task Revoke_records_who_and_when_once_and_the_token_is_no_longer_found_by_hash()
    {
        var token = await _tokens.CreateAsync(AccessTokenKind.Kiosk, "hall", "k1", Hash('k'), "main", "lead", T0);

        Assert.True(await _tokens.RevokeAsync(token.Id, "admin", T0.AddHours(1)));
        Assert.False(await _tokens.RevokeAsync(token.Id, "someone-else", T0.AddHours(2)));
        Assert.False(await _tokens.RevokeAsync(token.Id + 1, "admin", T0.AddHours(2)));

        var revoked = await _tokens.FindAsync(token.Id);
        Assert.Equal(token with { RevokedAt = T0.AddHours(1), RevokedBy = "admin" }, revoked);
        Assert.False(revoked!.Active);
        Assert.Null(await _tokens.FindActiveByHashAsync(AccessTokenKind.Kiosk, Hash('k')));
    }

    [Fact]
    public async Task A_kiosk_hash_is_not_found_as_an_ingestion_key_nor_the_other_way_round()
    {
        await _tokens.CreateAsync(AccessTokenKind.Kiosk, "hall", "k1", Hash('k'), "main", "admin", T0);
        await _tokens.CreateAsync(AccessTokenKind.Ingestion, "feed", "i1", Hash('i'), null, "admin", T0);

        Assert.Null(await _tokens.FindActiveByHashAsync(AccessTokenKind.Ingestion, Hash('k')));
        Assert.Null(await _tokens.FindActiveByHashAsync(AccessTokenKind.Kiosk, Hash('i')));
        Assert.NotNull(await _tokens.FindActiveByHashAsync(AccessTokenKind.Kiosk, Hash('k')));
    }

    [Fact]
    public async Task An_ingestion_token_naming_a_board_is_refused_before_anything_is_stored()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => _tokens.CreateAsync(AccessTokenKind.Ingestion, "feed", "i1", Hash('i'), "main", "admin", T0));

        Assert.Equal("board", error.ParamName);
        Assert.Empty(await _tokens.ListAsync(AccessTokenKind.Ingestion));
    }

    [Fact]
    public async Task Lookup_by_hash_uses_the_kind_and_hash_index()
    {
        using var connection = _temp.Db.Open();
        var plan = string.Join(" | ", (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN SELECT id FROM access_tokens WHERE kind = 'Kiosk' AND secret_hash = 'ab' AND revoked_utc_ms IS NULL;"))
            .Select(row => row.Detail));

        Assert.Contains("ix_access_tokens_kind_hash", plan);
    }
}
