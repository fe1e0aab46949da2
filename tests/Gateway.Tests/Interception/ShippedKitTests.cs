using Gateway.Cli;
using Gateway.Configuration;
using Gateway.Interception;
using Gateway.Interception.Forwarding;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Interception;

/// <summary>Issue 7 item 6: the shipped read-only code-host kit passes `policy check` and does what its comment says.</summary>
public sealed class ShippedKitTests
{
    private static readonly string s_kit = Path.Combine(AppContext.BaseDirectory, "testdata", "ops-kits", "code-host-readonly", "spec.yaml");

    [Fact]
    public void PolicyCheck_AcceptsTheShippedKit()
    {
        var output = new StringWriter();
        int exit = GatewayCli.Run(["--state-dir", Path.GetTempPath(), "policy", "check", s_kit], new CliContext
        {
            Out = output,
            Error = output,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = ConfigLoader.NoEnvironment,
        });

        Assert.True(exit == 0, output.ToString());
        Assert.Contains("ok (kit \"code-host-readonly\"", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/repos/octo/hello/pulls", true)]
    [InlineData("HEAD", "/repos/octo/hello", true)]
    [InlineData("POST", "/repos/octo/hello/issues", false)]
    [InlineData("DELETE", "/repos/octo/hello", false)]
    [InlineData("PATCH", "/user", false)]
    [InlineData("GET", "/user/keys", false)]
    [InlineData("GET", "/authorizations/1", false)]
    [InlineData("GET", "/repos/octo/hello/actions/secrets", false)]
    public void TheShippedKit_IsReadOnly(string method, string path, bool allowed)
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryLoad(s_kit, out KitSpec? kit, errors), string.Join("\n", errors));
        PolicySnapshot snapshot = SnapshotCompiler.Compile([], [kit.ToRules()]);
        Assert.True(snapshot.TryGetKitIndex(kit.Name, out int index));
        InterceptionPlan plan = InterceptionTable.Build(snapshot, [kit]).Find(KitSet.None.With(index), "api.github.com", 443)!;

        Assert.Equal(allowed, HttpRuleMatcher.Decide(plan.Rules, method, path, out _));
        Assert.Equal("github", Assert.Single(plan.Injections).Source.Name);
        Assert.Equal(["GITHUB_TOKEN"], plan.BoundVariables);
    }

    [Fact]
    public void TheShippedKit_PresentsTheTokenToGitAsBasic_AndToTheApiAsBearer()
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryLoad(s_kit, out KitSpec? kit, errors), string.Join("\n", errors));
        PolicySnapshot snapshot = SnapshotCompiler.Compile([], [kit.ToRules()]);
        Assert.True(snapshot.TryGetKitIndex(kit.Name, out int index));
        InterceptionTable table = InterceptionTable.Build(snapshot, [kit]);

        KitServiceAuth git = Assert.Single(table.Find(KitSet.None.With(index), "github.com", 443)!.Injections).Auth!;
        KitServiceAuth api = Assert.Single(table.Find(KitSet.None.With(index), "api.github.com", 443)!.Injections).Auth!;

        Assert.Equal((KitAuthScheme.Basic, "x-access-token"), (git.Scheme, git.Username));
        Assert.Equal(KitAuthScheme.Bearer, api.Scheme);
    }
}
