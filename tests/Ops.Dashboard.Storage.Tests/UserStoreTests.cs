using Dapper;
using Ops.Dashboard.Domain;

namespace Ops.Dashboard.Storage.Tests;

public sealed class UserStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 3, 9, 0, 0, 123, TimeSpan.FromHours(1));

    private readonly TempDatabase _temp = new();
    private readonly UserStore _users;

    public UserStoreTests() => _users = new UserStore(_temp.Db);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Create_stores_an_enabled_account_that_is_found_by_id_and_by_name_in_any_case()
    {
        var created = await _users.CreateAsync("Ana.Lead", "Ana Lima", Role.TeamLead, "hash-1", T0);

        Assert.True(created.Id > 0);
        Assert.Equal(new UserRecord(created.Id, "Ana.Lead", "Ana Lima", Role.TeamLead, "hash-1", false, T0, null), created);
        Assert.Equal(TimeSpan.Zero, created.CreatedAt.Offset);
        Assert.Equal(created, await _users.FindAsync(created.Id));
        Assert.Equal(created, await _users.FindByNameAsync("ana.lead"));
        Assert.Equal(created, await _users.FindByNameAsync("ANA.LEAD"));
        Assert.Null(await _users.FindByNameAsync("ana"));
        Assert.Null(await _users.FindAsync(created.Id + 1));
    }

    [Fact]
    public async Task Create_with_a_name_taken_in_another_case_throws_and_stores_nothing()
    {
        var first = await _users.CreateAsync("ana", "Ana", Role.Agent, "hash-1", T0);

        var error = await Assert.ThrowsAsync<UserNameTakenException>(
            () => _users.CreateAsync("ANA", "Someone Else", Role.Admin, "hash-2", T0.AddMinutes(1)));

        Assert.Contains("'ANA'", error.Message);
        Assert.Equal("ANA", error.UserName);
        Assert.Equal([first], await _users.ListAsync());
        // The store stays usable after the refused insert.
        Assert.Equal("bo", (await _users.CreateAsync("bo", "Bo", Role.Agent, "hash-3", T0)).UserName);
    }

    [Fact]
    public async Task The_schema_itself_refuses_a_second_name_differing_only_in_case()
    {
        await _users.CreateAsync("ana", "Ana", Role.Agent, "hash", T0);

        using var connection = _temp.Db.Open();
        var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => connection.ExecuteAsync(
            "INSERT INTO users (user_name, display_name, role, password_hash, created_utc_ms) VALUES ('Ana', 'x', 'Agent', 'h', 0);"));

        Assert.Contains("UNIQUE", error.Message);
    }

    [Fact]
    public async Task List_orders_accounts_by_user_name_ignoring_case()
    {
        await _users.CreateAsync("carla", "Carla", Role.Agent, "h", T0);
        await _users.CreateAsync("Bruno", "Bruno", Role.ShiftManager, "h", T0);
        await _users.CreateAsync("anton", "Anton", Role.Admin, "h", T0);

        Assert.Equal(["anton", "Bruno", "carla"], (await _users.ListAsync()).Select(u => u.UserName));
    }

    [Fact]
    public async Task Update_changes_display_name_role_and_disabled_and_is_false_for_an_unknown_id()
    {
        var user = await _users.CreateAsync("ana", "Ana", Role.Agent, "hash", T0);

        Assert.True(await _users.UpdateAsync(user.Id, "Ana Lima", Role.ShiftManager, disabled: true));
        Assert.False(await _users.UpdateAsync(user.Id + 100, "Nobody", Role.Admin, disabled: false));

        Assert.Equal(user with { DisplayName = "Ana Lima", Role = Role.ShiftManager, Disabled = true }, await _users.FindAsync(user.Id));

        Assert.True(await _users.UpdateAsync(user.Id, "Ana Lima", Role.ShiftManager, disabled: false));
        Assert.False((await _users.FindAsync(user.Id))!.Disabled);
    }

    [Fact]
    public async Task Every_role_round_trips_and_is_stored_by_its_name()
    {
        foreach (var role in Roles.All)
        {
            var user = await _users.CreateAsync($"user-{role}", role.ToString(), role, "h", T0);
            Assert.Equal(role, (await _users.FindAsync(user.Id))!.Role);
        }

        using var connection = _temp.Db.Open();
        Assert.Equal("TrainerQA", connection.ExecuteScalar<string>("SELECT role FROM users WHERE user_name = 'user-TrainerQA';"));
    }

    [Fact]
    public async Task An_undefined_role_is_refused_before_anything_is_stored()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _users.CreateAsync("ana", "Ana", (Role)99, "h", T0));

        Assert.Empty(await _users.ListAsync());
    }

    [Fact]
    public async Task SetPasswordHash_replaces_only_the_hash_and_is_false_for_an_unknown_id()
    {
        var user = await _users.CreateAsync("ana", "Ana", Role.Agent, "old-hash", T0);

        Assert.True(await _users.SetPasswordHashAsync(user.Id, "new-hash"));
        Assert.False(await _users.SetPasswordHashAsync(user.Id + 1, "other"));

        Assert.Equal(user with { PasswordHash = "new-hash" }, await _users.FindAsync(user.Id));
    }

    [Fact]
    public async Task AnyActiveAdmin_is_false_without_admins_and_when_the_only_admin_is_disabled()
    {
        Assert.False(await _users.AnyActiveAdminAsync());
        await _users.CreateAsync("lead", "Lead", Role.Management, "h", T0);
        Assert.False(await _users.AnyActiveAdminAsync());

        var admin = await _users.CreateAsync("root", "Root", Role.Admin, "h", T0);
        Assert.True(await _users.AnyActiveAdminAsync());

        await _users.UpdateAsync(admin.Id, "Root", Role.Admin, disabled: true);
        Assert.False(await _users.AnyActiveAdminAsync());

        await _users.UpdateAsync(admin.Id, "Root", Role.Admin, disabled: false);
        Assert.True(await _users.AnyActiveAdminAsync());
    }

    [Fact]
    public async Task RecordSignIn_sets_the_last_sign_in_time_of_that_account_only()
    {
        var ana = await _users.CreateAsync("ana", "Ana", Role.Agent, "h", T0);
        var bo = await _users.CreateAsync("bo", "Bo", Role.Agent, "h", T0);

        await _users.RecordSignInAsync(ana.Id, T0.AddHours(2));
        await _users.RecordSignInAsync(ana.Id + bo.Id + 1, T0.AddHours(3)); // unknown: nothing happens

        Assert.Equal(T0.AddHours(2), (await _users.FindAsync(ana.Id))!.LastSignInAt);
        Assert.Null((await _users.FindAsync(bo.Id))!.LastSignInAt);
    }

    [Fact]
    public async Task ToString_of_a_user_leaves_out_the_password_hash()
    {
        var user = await _users.CreateAsync("ana", "Ana", Role.Agent, "$argon2id$secret-hash", T0);

        var text = user.ToString();

        Assert.Contains("ana", text);
        Assert.DoesNotContain("secret-hash", text);
    }
}
