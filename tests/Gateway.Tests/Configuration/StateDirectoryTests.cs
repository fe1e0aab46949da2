using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public class StateDirectoryTests
{
    private const string Cwd = "/work/cwd";

    public static TheoryData<string?, (string, string?)[], string?, bool, string> Cases => new()
    {
        // cli, environment, config value, root, expected
        { null, [], null, true, "/var/lib/egress-gateway" },
        { null, [("HOME", "/home/agent"), ("XDG_STATE_HOME", "/xdg/state")], null, true, "/var/lib/egress-gateway" },
        { null, [("HOME", "/home/agent"), ("XDG_STATE_HOME", "/xdg/state")], null, false, "/xdg/state/egress-gateway" },
        { null, [("HOME", "/home/agent")], null, false, "/home/agent/.local/state/egress-gateway" },
        { null, [("HOME", "/home/agent/"), ("XDG_STATE_HOME", "")], null, false, "/home/agent/.local/state/egress-gateway" },
        { null, [("HOME", "/home/agent"), ("XDG_STATE_HOME", "relative/state")], null, false, "/home/agent/.local/state/egress-gateway" },
        { null, [("HOME", "/home/agent")], "/srv/from-config", false, "/srv/from-config" },
        { null, [("GATEWAY_STATE_DIR", "/srv/from-env")], "/srv/from-config", true, "/srv/from-env" },
        { null, [("GATEWAY_STATE_DIR", "")], "/srv/from-config", true, "/srv/from-config" },
        { "/srv/from-cli", [("GATEWAY_STATE_DIR", "/srv/from-env")], "/srv/from-config", true, "/srv/from-cli" },
        { "/srv/from-cli/", [], null, true, "/srv/from-cli" },
        { "state", [], null, true, "/work/cwd/state" },
        { null, [("GATEWAY_STATE_DIR", "../state")], null, true, "/work/state" },
        { "", [], null, true, "/var/lib/egress-gateway" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resolve_FollowsThePrecedenceRules(string? cli, (string, string?)[] environment, string? configValue, bool isRoot, string expected)
    {
        string actual = StateDirectory.Resolve(cli, ConfigTestLoader.Environment(environment), configValue, isRoot, Cwd);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Resolve_ForTheCli_TakesTheOptionFirst() =>
        Assert.Equal("/srv/cli", StateDirectory.Resolve("/srv/cli", ConfigTestLoader.Environment(("GATEWAY_STATE_DIR", "/srv/env"))));

    [Theory]
    [InlineData("stateDir: /srv/file\n", new string[0], "/srv/file")]
    [InlineData("stateDir: state\n", new string[0], "/work/cwd/state")]
    [InlineData("stateDir: /srv/file\n", new[] { "GATEWAY__STATEDIR", "/srv/override" }, "/srv/override")]
    [InlineData("stateDir: /srv/file\n", new[] { "GATEWAY__STATEDIR", "/srv/override", "GATEWAY_STATE_DIR", "/srv/env" }, "/srv/env")]
    public void Loader_AppliesTheFileAndBothVariables(string yaml, string[] environment, string expected)
    {
        var variables = environment.Chunk(2).Select(pair => (pair[0], (string?)pair[1])).ToArray();
        var options = ConfigTestLoader.Options with { StateDirOption = null, IsRoot = true };
        (GatewayConfig config, List<string> errors) = ConfigTestLoader.Load(yaml, options, variables);
        Assert.Empty(errors);
        Assert.Equal(expected, config.StateDir);
        Assert.Equal(expected + "/admin.sock", config.Listen.Admin.ToString());
        Assert.Equal(expected + "/audit.jsonl", config.Audit.File);
    }

    [Fact]
    public void Loader_ReportsAnEmptyStateDir()
    {
        (_, List<string> errors) = ConfigTestLoader.Load("stateDir: \"\"\n");
        Assert.Equal(["gateway.yaml:1: stateDir: empty; name a directory or remove the key for the default"], errors);
    }
}
