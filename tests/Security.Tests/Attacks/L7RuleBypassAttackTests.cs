using Gateway.Tests.Interception;

namespace Security.Tests.Attacks;

/// <summary>
/// Issue 16 item 5: with <c>deny /user/keys</c> and GET/HEAD the only allowed methods on
/// rules.example.test, every spelling an upstream could read as the denied path or method is
/// refused (403 by the rule, or 400 for a form the gateway will not guess at), and the upstream
/// never sees it; the plain spellings next to them still go through, so the table cannot pass
/// by refusing everything.
/// </summary>
public sealed class L7RuleBypassAttackTests(L7RuleBypassAttackTests.Fixture fixture) : IClassFixture<L7RuleBypassAttackTests.Fixture>
{
    private const string Secret = "l7-bypass-secret-3c9e";

    public static TheoryData<string, int> DeniedPaths => new()
    {
        { "/user/keys", 403 },
        { "/user//keys", 403 },
        { "//user/keys", 403 },
        { "/user/keys/", 403 },
        { "/USER/KEYS", 403 },
        { "/User/Keys/1", 403 },
        { "/user/%6Beys", 403 },
        { "/user/keys;x", 400 },
        { "/user;x/keys", 400 },
        { "/user/keys%2e", 400 },
        { "/user/keys.", 400 },
        { "/user/keys%20", 400 },
        { "/user/keys%09", 400 },
        { "/user/./keys", 400 },
        { "/user/x/../keys", 400 },
        { "/user%2fkeys", 400 },
        { "/user\\keys", 400 },
        { "/ADMIN", 403 },
    };

    public static TheoryData<string> OverrideHeaders => ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    [Theory]
    [MemberData(nameof(DeniedPaths))]
    public async Task DeniedPath_InAnySpelling_IsRefused_AndNeverReachesTheUpstream(string path, int status)
    {
        int before = fixture.Env.Upstream.Seen.Count;
        (int exit, string stdout, string stderr) = await fixture.Env.CurlAsync("rules.example.test", path, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is");

        Assert.True(exit == 0, stderr);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), stdout);
        Assert.Equal(before, fixture.Env.Upstream.Seen.Count);
    }

    [Theory]
    [InlineData("/user/keysafe")]
    [InlineData("/user/key")]
    [InlineData("/user/other/keys")]
    [InlineData("/repos/a/b")]
    [InlineData("/files/a%20b")]
    public async Task NeighbouringPath_IsStillAllowed(string path)
    {
        (int exit, string stdout, string stderr) = await fixture.Env.CurlAsync("rules.example.test", path, "-sS", "--path-as-is");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("ok GET ", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OverrideHeaders))]
    public async Task MethodOverride_NamingADeniedMethod_IsRefused(string header)
    {
        int before = fixture.Env.Upstream.Seen.Count;
        (int exit, string stdout, string stderr) = await fixture.Env.CurlAsync("rules.example.test", "/repos/a/b", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", header + ": DELETE");

        Assert.True(exit == 0, stderr);
        Assert.Equal("403", stdout);
        Assert.Equal(before, fixture.Env.Upstream.Seen.Count);
    }

    [Theory]
    [MemberData(nameof(OverrideHeaders))]
    public async Task MethodOverride_NamingAnAllowedMethod_GoesThrough(string header)
    {
        (int exit, string stdout, string stderr) = await fixture.Env.CurlAsync("rules.example.test", "/repos/a/b", "-sS", "-H", header + ": head");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("ok GET /repos/a/b", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeniedMethod_WithAnOverrideNamingAnAllowedOne_IsStillRefused()
    {
        (int exit, string stdout, string stderr) = await fixture.Env.CurlAsync("rules.example.test", "/repos/a/b", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", "-H", "X-HTTP-Method-Override: GET");

        Assert.True(exit == 0, stderr);
        Assert.Equal("403", stdout);
    }

    /// <summary>The interception gateway, whose kit denies /user/keys on rules.example.test and allows only GET and HEAD there.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal InterceptedGateway Env { get; private set; } = null!;

        public async Task InitializeAsync() => Env = await InterceptedGateway.StartAsync(Secret);

        public async Task DisposeAsync() => await Env.DisposeAsync();
    }
}
