using PolicyCompiler.Compilation;
using PolicyCompiler.Groups;
using PolicyCompiler.Kits;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Tests.Kits;

public class KitParserTests
{
    private const string Header = "schemaVersion: \"1\"\nkind: mixin\nname: inline\n";

    [Fact]
    public void FullKit_ParsesEveryGatewaySection()
    {
        KitSpec kit = Load("full/spec.yaml");

        Assert.Equal("my-service", kit.Name);
        Assert.Equal("My Service", kit.DisplayName);
        Assert.Equal(KitKind.Mixin, kit.Kind);
        Assert.Equal("testdata/kits/full/spec.yaml", kit.FilePath);
        Assert.Equal(["api.my-service.example.com", "*.cdn.example.test", "registry.example.test:443"], Texts(kit.Network.AllowedDomains));
        Assert.Equal(["telemetry.example.com"], Texts(kit.Network.DeniedDomains));
        var binding = Assert.Single(kit.Network.ServiceDomains);
        Assert.Equal(("api.my-service.example.com", "my-service"), (binding.Key.Text, binding.Value));

        KitServiceAuth auth = kit.Network.ServiceAuth["my-service"];
        Assert.Equal(new KitServiceAuth("my-service", "Authorization", "Bearer %s", Override: false), auth);
        Assert.Equal("Bearer abc", auth.FormatValue("abc"));

        KitCredentialSource source = kit.Credentials.Sources["my-service"];
        Assert.Equal<string>(["MY_SERVICE_API_KEY"], source.Env);
        Assert.Equal(new KitCredentialFile("~/.config/my-service/credentials.json", "json:credentials.token"), source.File);
        Assert.Equal(KitCredentialPriority.EnvFirst, source.Priority);

        Assert.Equal<string>(["MY_SERVICE_API_KEY"], kit.Environment.ProxyManaged);
        Assert.Equal("eu", kit.Environment.Variables["MY_SERVICE_REGION"]);

        Assert.Equal(2, kit.Network.Rules.Length);
        Assert.Equal<string>(["GET", "HEAD"], kit.Network.Rules[0].Methods);
        Assert.Equal<string>(["/v1/*"], kit.Network.Rules[0].Paths);
        Assert.Equal(RuleDecision.Allow, kit.Network.Rules[0].Decision);
        Assert.Empty(kit.Network.Rules[1].Methods);
        Assert.Equal(RuleDecision.Deny, kit.Network.Rules[1].Decision);
    }

    [Fact]
    public void MinimalKit_HasEmptySections()
    {
        KitSpec kit = Load("minimal/spec.yaml");

        Assert.Equal(("minimal", KitKind.Sandbox, null, null), (kit.Name, kit.Kind, kit.DisplayName, kit.Description));
        Assert.Same(KitNetwork.Empty, kit.Network);
        Assert.Same(KitCredentials.Empty, kit.Credentials);
        Assert.Same(KitEnvironment.Empty, kit.Environment);
        Assert.Empty(kit.ToRules().Rules);
    }

    [Theory]
    [InlineData("unknown-key.yaml", "unknown-key.yaml:3: netwrok: unknown key; did you mean \"network\"?")]
    [InlineData("unknown-nested-key.yaml", "unknown-nested-key.yaml:7: network.deniedDomain: unknown key; did you mean \"deniedDomains\"?")]
    [InlineData("bad-pattern.yaml", "bad-pattern.yaml:8: network.allowedDomains[2]: pattern \"api.*.example.com\": a wildcard may only be the first label; use \"*.example.com\"")]
    [InlineData("bad-yaml.yaml", "bad-yaml.yaml:7: not valid YAML: While parsing a block mapping, did not find expected key.")]
    [InlineData("missing-name.yaml", "missing-name.yaml:1: missing required key \"name\"")]
    [InlineData("undeclared-source.yaml", "undeclared-source.yaml:12: network.serviceDomains[\"api.example.com\"]: source \"my-servce\" is not declared in credentials.sources; did you mean \"my-service\"?")]
    [InlineData("bad-value-format.yaml", "bad-value-format.yaml:15: network.serviceAuth.my-service.valueFormat: valueFormat \"Bearer %s %s\" must contain \"%s\" exactly once, where the credential goes; e.g. \"Bearer %s\"")]
    public void BrokenFixture_ReportsFileLineAndKey(string fixture, string expected)
    {
        List<KitError> errors = LoadBroken(fixture);

        Assert.Equal(["testdata/kits/broken/" + expected], errors.ConvertAll(e => e.ToString()));
    }

    [Fact]
    public void WildcardOverPublicSuffix_IsRefusedInAllowAndDenyLists()
    {
        List<KitError> errors = LoadBroken("public-suffix.yaml");

        Assert.Equal(
            [
                (8, "network.allowedDomains[2]", "pattern \"*.com\": a wildcard directly over the public suffix \"com\" matches every site registered under it; name a domain, e.g. \"*.example.com\""),
                (10, "network.deniedDomains[0]", "pattern \"*.co.uk\": a wildcard directly over the public suffix \"co.uk\" matches every site registered under it; name a domain, e.g. \"*.example.co.uk\""),
            ],
            errors.ConvertAll(e => (e.Line, e.KeyPath, e.Message)));
    }

    [Fact]
    public void EveryError_IsReported_InLineOrder()
    {
        List<KitError> errors = LoadBroken("many-errors.yaml");

        Assert.Equal(
            [
                (1, "schemaVersion"),
                (2, "kind"),
                (3, "name"),
                (7, "credentials.sources.github.env[1]"),
                (8, "credentials.sources.github.priority"),
                (9, "credentials.sources.empty"),
                (12, "network.allowedDomains[0]"),
                (16, "network.serviceDomains[\"**\"]"),
                (19, "network.serviceAuth.github.headerName"),
                (20, "network.serviceAuth.github.valueFormat"),
                (21, "network.serviceAuth.github.override"),
                (22, "network.serviceAuth.gitlab"),
                (23, "network.serviceAuth.gitlab.headerName"),
                (28, "environment.proxyManaged[1]"),
            ],
            errors.ConvertAll(e => (e.Line, e.KeyPath)));
        Assert.Contains("did you mean \"github\"?", errors[11].Message, StringComparison.Ordinal);
        Assert.Contains("add it to a source's env list", errors[13].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(
        "network:\n  allowedDomains: [other.example.com]\n  serviceDomains:\n    api.example.com: svc\ncredentials:\n  sources:\n    svc: {env: [SVC_KEY]}\n",
        "t.yaml:7: network.serviceDomains[\"api.example.com\"]: \"api.example.com\" is not allowed by network.allowedDomains; add \"api.example.com\" there so the kit reaches the host it sends the credential to")]
    [InlineData(
        "network:\n  allowedDomains: [\"*.example.com\"]\n  deniedDomains: [\"*.internal.example.com\"]\n  serviceDomains:\n    api.internal.example.com: svc\ncredentials:\n  sources:\n    svc: {env: [SVC_KEY]}\n",
        "t.yaml:8: network.serviceDomains[\"api.internal.example.com\"]: \"api.internal.example.com\" is denied by network.deniedDomains[0] (\"*.internal.example.com\"); the credential could never be used")]
    [InlineData(
        "credentials:\n  sources:\n    svc: {env: [SVC_KEY]}\nnetwork:\n  serviceAuth:\n    svc: {headerName: X-Api-Key, valueFormat: \"%s\"}\n",
        "t.yaml:9: network.serviceAuth.svc: source \"svc\" is bound to no host; add \"api.example.com: svc\" under network.serviceDomains")]
    [InlineData(
        "credentials:\n  sources:\n    svc: {env: [SVC_KEY]}\nenvironment:\n  variables: {SVC_KEY: literal}\n  proxyManaged: [SVC_KEY]\n",
        "t.yaml:9: environment.proxyManaged[0]: \"SVC_KEY\" is also set in environment.variables; a proxy-managed variable gets a placeholder, so remove it from variables")]
    [InlineData(
        "credentials:\n  sources:\n    svc:\n      file: {path: ~/token, parser: yaml:token}\n",
        "t.yaml:7: credentials.sources.svc.file.parser: unsupported parser \"yaml:token\"; omit it to read the whole file, or use \"json:<dot.path>\"")]
    [InlineData(
        "network:\n  rules:\n    - {host: api.example.com, methods: [get], decision: allow}\n",
        "t.yaml:6: network.rules[0].methods[0]: \"get\" never matches: methods are case-sensitive; use \"GET\"")]
    [InlineData(
        "network:\n  rules:\n    - host: api.example.com\n      paths: [repos]\n      decision: maybe\n",
        "t.yaml:7: network.rules[0].paths[0]: path \"repos\" must start with \"/\"; e.g. \"/repos/*\"",
        "t.yaml:8: network.rules[0].decision: \"maybe\" is not a decision; use allow or deny")]
    [InlineData(
        "network:\n  rules:\n    - {host: api.example.com, paths: [\"/repos/../admin\", \"/a%2Fb\", \"/./x\"], decision: allow}\n",
        "t.yaml:6: network.rules[0].paths[0]: path \"/repos/../admin\" may not contain \".\" or \"..\" segments; requests with them are refused, so write the path they resolve to",
        "t.yaml:6: network.rules[0].paths[1]: path \"/a%2Fb\" may not contain \"%\" or \"\\\"; write the decoded path, e.g. \"/repos/*\"",
        "t.yaml:6: network.rules[0].paths[2]: path \"/./x\" may not contain \".\" or \"..\" segments; requests with them are refused, so write the path they resolve to")]
    [InlineData(
        "network:\n  allowedDomains: example.com\n",
        "t.yaml:5: network.allowedDomains: expected a list, found \"example.com\"; write one entry per line starting with \"- \"")]
    [InlineData(
        "environment:\n  variables: {\"my-var\": x}\n",
        "t.yaml:5: environment.variables.my-var: \"my-var\" is not a valid environment variable name; use letters, digits and \"_\", not starting with a digit")]
    [InlineData(
        "spec: {}\n",
        "t.yaml:4: spec: unknown key; valid keys are schemaVersion, kind, name, displayName, description, network, credentials, environment, commands, agentContext, memory, sandbox, agent, publishedPorts, tmpfs, volumes, settings, kitDir, persistence")]
    [InlineData("a: 1\na: 2\n", "t.yaml:5: duplicate key \"a\"; write each key once")]
    [InlineData(
        "oauth:\n  tokenUrl: https://auth.example.test/token\n",
        "t.yaml:4: oauth: unknown key; an OAuth2 token source goes under credentials.sources.NAME.oauth2 (tokenUrl, clientId, clientSecret)")]
    [InlineData("netwrok: {}\n", "t.yaml:4: netwrok: unknown key; did you mean \"network\"?")]
    [InlineData(
        "network:\n  allowedDomains: &hosts [a.example.com]\n  deniedDomains: *hosts\n",
        "t.yaml:6: YAML aliases (\"*hosts\") are not allowed in kit files, which are shared; write the value out")]
    [InlineData(
        "credentials:\n  sources:\n    svc:\n      file: {path: \"\"}\n",
        "t.yaml:7: credentials.sources.svc.file.path: the path is empty; name the host file, e.g. \"~/.config/tool/token\"")]
    public void InlineProblem_IsReportedWithLineAndKey(string body, params string[] expected)
    {
        var errors = new List<KitError>();

        Assert.False(KitParser.TryParse(Header + body, "t.yaml", out KitSpec? kit, errors));
        Assert.Null(kit);
        Assert.Equal(expected, errors.ConvertAll(e => e.ToString()));
    }

    [Fact]
    public void EmptyName_IsRefused()
    {
        var errors = new List<KitError>();

        Assert.False(KitParser.TryParse("schemaVersion: \"1\"\nkind: mixin\nname: \"\"\n", "t.yaml", out _, errors));
        Assert.Equal(["t.yaml:3: name: the name is empty; use lowercase letters, digits and hyphens, e.g. \"my-kit\""], errors.ConvertAll(e => e.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n# only a comment\n")]
    public void EmptyFile_IsOneErrorWithoutALine(string text)
    {
        var errors = new List<KitError>();

        Assert.False(KitParser.TryParse(text, "t.yaml", out _, errors));
        Assert.Equal(["t.yaml: the file is empty; a kit needs at least schemaVersion: \"1\", kind and name"], errors.ConvertAll(e => e.ToString()));
    }

    [Theory]
    [InlineData("agent", KitKind.Sandbox)]
    [InlineData("sandbox", KitKind.Sandbox)]
    [InlineData("mixin", KitKind.Mixin)]
    public void Kind_AcceptsTheLegacyAgentName(string text, KitKind expected)
    {
        var errors = new List<KitError>();

        Assert.True(KitParser.TryParse($"schemaVersion: \"1\"\nkind: {text}\nname: k\nagent: {{image: x}}\n", "t.yaml", out KitSpec? kit, errors));
        Assert.Equal(expected, kit.Kind);
    }

    [Fact]
    public void UnknownTopLevelSections_AreErrors_NamingFileLineKeyAndWhereTheyBelong()
    {
        string path = Fixture("broken/unknown-section.yaml");
        var errors = new List<KitError>();

        Assert.False(KitParser.TryLoad(path, out _, errors));

        Assert.Equal(
            [
                $"{path}:6: oauth: unknown key; an OAuth2 token source goes under credentials.sources.NAME.oauth2 (tokenUrl, clientId, clientSecret)",
                $"{path}:8: credential: unknown key; did you mean \"credentials\"?",
            ],
            errors.ConvertAll(e => e.ToString()));
        Assert.Equal([(6, 1), (8, 1)], errors.ConvertAll(e => (e.Line, e.Column)));
    }

    [Fact]
    public void TryLoad_NamesTheFileInMessages()
    {
        string path = Fixture("broken/unknown-key.yaml");
        var errors = new List<KitError>();

        Assert.False(KitParser.TryLoad(path, out _, errors));
        Assert.StartsWith(path + ":3: ", Assert.Single(errors).ToString(), StringComparison.Ordinal);

        Assert.True(KitParser.TryLoad(Fixture("minimal/spec.yaml"), out KitSpec? kit, errors));
        Assert.Equal("minimal", kit.Name);
    }

    [Fact]
    public void TryLoad_UnreadableFile_IsAnErrorNotAnException()
    {
        var errors = new List<KitError>();

        Assert.False(KitParser.TryLoad(Fixture("no-such-kit/spec.yaml"), out _, errors));
        KitError error = Assert.Single(errors);
        Assert.Equal(0, error.Line);
        Assert.StartsWith("cannot read the kit file: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToRules_MakesOneAllowAndOneDenyRuleNamedAfterTheKit()
    {
        KitRules rules = Load("full/spec.yaml").ToRules();

        Assert.Equal("my-service", rules.Name);
        Assert.Equal(["kit:my-service/allow", "kit:my-service/deny"], rules.Rules.Select(r => r.Id));
        Assert.Equal([RuleDecision.Allow, RuleDecision.Deny], rules.Rules.Select(r => r.Decision));
        Assert.All(rules.Rules, r => Assert.Equal("kit:my-service", r.Source.Display));
        Assert.Equal(["telemetry.example.com"], Texts(rules.Rules[1].Resources));
    }

    [Fact]
    public void ToRules_OmitsAnEmptyAllowRule()
    {
        Assert.True(KitParser.TryParse(Header + "network:\n  deniedDomains: [bad.example.com]\n", "t.yaml", out KitSpec? kit, []));

        Assert.Equal(["kit:inline/deny"], kit.ToRules().Rules.Select(r => r.Id));
    }

    [Fact]
    public void CompiledKitRules_ApplyOnlyToSandboxesStartedWithTheKit()
    {
        KitSpec kit = Load("full/spec.yaml");
        PolicySnapshot snapshot = SnapshotCompiler.Compile([], [kit.ToRules()]);
        Assert.True(snapshot.TryGetKitIndex("my-service", out int index));
        KitSet withKit = KitSet.None.With(index);

        Assert.False(snapshot.Decide("api.my-service.example.com", 443, KitSet.None).IsAllowed);
        Decision decision = snapshot.Decide("api.my-service.example.com", 443, withKit);
        Assert.True(decision.IsAllowed);
        Assert.Equal(("kit:my-service/allow", "kit:my-service"), (decision.RuleId, decision.Source));
        Assert.True(snapshot.Decide("assets.cdn.example.test", 443, withKit).IsAllowed);
        Assert.False(snapshot.Decide("registry.example.test", 80, withKit).IsAllowed);
    }

    [Fact]
    public void KitDeny_BeatsAGlobalAllow_OnlyForItsSandboxes()
    {
        KitSpec kit = Load("full/spec.yaml");
        PolicySnapshot snapshot = SnapshotCompiler.Compile(DefaultPolicies.RulesFor(DefaultPolicy.AllowAll), [kit.ToRules()]);
        Assert.True(snapshot.TryGetKitIndex(kit.Name, out int index));

        Assert.True(snapshot.Decide("telemetry.example.com", 443, KitSet.None).IsAllowed);
        Decision decision = snapshot.Decide("telemetry.example.com", 443, KitSet.None.With(index));
        Assert.False(decision.IsAllowed);
        Assert.Equal("kit:my-service/deny", decision.RuleId);
    }

    private static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "testdata", "kits", relative);

    private static KitSpec Load(string relative)
    {
        var errors = new List<KitError>();
        bool ok = KitParser.TryParse(File.ReadAllText(Fixture(relative)), "testdata/kits/" + relative, out KitSpec? kit, errors);
        Assert.True(ok, string.Join('\n', errors));
        Assert.Empty(errors);
        return kit!;
    }

    private static List<KitError> LoadBroken(string fixture)
    {
        var errors = new List<KitError>();
        Assert.False(KitParser.TryParse(File.ReadAllText(Fixture("broken/" + fixture)), "testdata/kits/broken/" + fixture, out KitSpec? kit, errors));
        Assert.Null(kit);
        return errors;
    }

    private static string[] Texts(IEnumerable<PolicyCompiler.Patterns.RulePattern> patterns) => [.. patterns.Select(p => p.Text)];
}
