namespace Gateway.Tests.Configuration;

/// <summary>Every class of bad value, with the exact line an operator reads. One partial file per section group.</summary>
public partial class ConfigValidatorTests
{
    [Theory]
    [InlineData("listen:\n  forwrd: 127.0.0.1:3128\n", "gateway.yaml:2: listen.forwrd: unknown key; did you mean \"forward\"?")]
    [InlineData("Listen: {}\n", "gateway.yaml:1: Listen: unknown key; did you mean \"listen\"?")]
    [InlineData("limits:\n  headertimeout: 5s\n", "gateway.yaml:2: limits.headertimeout: unknown key; did you mean \"headerTimeout\"?")]
    [InlineData("listen: {}\noauth:\n  tokenUrl: https://auth.example.test/token\n", "gateway.yaml:2: oauth: unknown key; an OAuth2 token source goes under credentials.sources.NAME.oauth2 (tokenUrl, clientId, clientSecret)")]
    [InlineData("frobnicate: 1\n", "gateway.yaml:1: frobnicate: unknown key; valid keys are stateDir, listen, transparent, policy, resolve, egress, trust, upstream, credentials, kits, sandboxes, limits, audit, dns")]
    [InlineData("audit:\n  rotate: daily\n", "gateway.yaml:2: audit.rotate: unknown key; valid keys are file, maxFileSize, keep, refusalsPerSecond, refusalBurst, logRows, logRowsPerSandbox")]
    [InlineData("sandboxes:\n  - { name: dev, addresses: [10.209.0.2], kit: [a] }\n", "gateway.yaml:2: sandboxes[0].kit: unknown key; did you mean \"kits\"?")]
    public void UnknownKey_IsNamedWithItsLine_AndTheLikelyKey(string yaml, string expected) => AssertOneError(yaml, expected);

    [Theory]
    [InlineData("listen: 127.0.0.1:3128\n", "gateway.yaml:1: listen: expected a section (forward, transparentHttp, transparentTls, dns, metrics, metricsAllowRemote, admin, blockPage, transport), found a value")]
    [InlineData("limits: [1, 2]\n", "gateway.yaml:1: limits: expected a section (maxConnections, headerTimeout, idleTimeout, connectTimeout, upstreamRequestsPerConnection, http2ControlFramesPerSecond), found a list")]
    [InlineData("kits: /etc/kits/a.yaml\n", "gateway.yaml:1: kits: expected a list, found a value; write [/etc/kits/a.yaml]")]
    [InlineData("limits:\n  headerTimeout: [10s]\n", "gateway.yaml:2: limits.headerTimeout: expected a single value, found a list")]
    [InlineData("resolve:\n  hosts: [a.example.test]\n", "gateway.yaml:2: resolve.hosts: expected a section of names, e.g. { \"api.example.test\": 127.0.0.1 }, found a list")]
    public void WrongShape_SaysWhatWasExpected(string yaml, string expected) => AssertOneError(yaml, expected);

    [Theory]
    [InlineData("listen:\n  forward: [\n", "gateway.yaml:3: not valid YAML: While parsing a node, did not find expected node content.")]
    [InlineData("listen: [a, b\nx: 1\n", "gateway.yaml: not valid YAML: an unterminated [ or { list or section, or a stray character in one")]
    [InlineData("listen: {}\nlisten: {}\n", "gateway.yaml:2: duplicate key \"listen\"; write each key once")]
    [InlineData("listen: {}\n---\nlimits: {}\n", "gateway.yaml:3: a second YAML document; the file is one document, remove the '---' and what follows")]
    [InlineData("- listen\n", "gateway.yaml:1: the configuration must be a section of keys (stateDir, listen, policy …), found a list")]
    public void BrokenYaml_IsOneLine(string yaml, string expected) => AssertOneError(yaml, expected);

    [Theory]
    [InlineData("limits:\n  headerTimeout: soon\n", "gateway.yaml:2: limits.headerTimeout: \"soon\" is not a duration; use e.g. 10s, 500ms, 5m")]
    [InlineData("limits:\n  idleTimeout: 10\n", "gateway.yaml:2: limits.idleTimeout: \"10\" is not a duration; use e.g. 10s, 500ms, 5m")]
    [InlineData("limits:\n  connectTimeout: 1.5s\n", "gateway.yaml:2: limits.connectTimeout: \"1.5s\" is not a duration; use e.g. 10s, 500ms, 5m")]
    [InlineData("limits:\n  connectTimeout: 0s\n", "gateway.yaml:2: limits.connectTimeout: \"0s\" is too short; a timeout must be at least 1ms")]
    [InlineData("limits:\n  maxConnections: lots\n", "gateway.yaml:2: limits.maxConnections: \"lots\" is not a whole number; use e.g. 50000")]
    [InlineData("limits:\n  maxConnections: -1\n", "gateway.yaml:2: limits.maxConnections: -1 is out of range; use 1-10000000")]
    [InlineData("transparent:\n  dialTlsPort: 70000\n", "gateway.yaml:2: transparent.dialTlsPort: 70000 is out of range; use 1-65535")]
    [InlineData("audit:\n  maxFileSize: big\n", "gateway.yaml:2: audit.maxFileSize: \"big\" is not a size; use e.g. 100MiB, 512KiB, 1GiB")]
    [InlineData("audit:\n  maxFileSize: 10KiB\n", "gateway.yaml:2: audit.maxFileSize: \"10KiB\" is too small; use at least 1MiB")]
    [InlineData("audit:\n  keep: 0\n", "gateway.yaml:2: audit.keep: 0 is out of range; use 1-1000")]
    [InlineData("audit:\n  file: \"{stateDir}/{host}.jsonl\"\n", "gateway.yaml:2: audit.file: unknown placeholder {host}; only {stateDir} is expanded")]
    [InlineData("audit:\n  file: \"\"\n", "gateway.yaml:2: audit.file: empty path")]
    [InlineData("kits: [\"\"]\n", "gateway.yaml:1: kits[0]: empty path")]
    [InlineData("stateDir: \"{stateDir}/x\"\n", "gateway.yaml:1: stateDir: cannot refer to {stateDir} itself; name a directory")]
    public void BadNumbersDurationsSizesAndPaths_AreExplained(string yaml, string expected) => AssertOneError(yaml, expected);

    [Theory]
    [InlineData("policy:\n  initialDefault: open\n", "gateway.yaml:2: policy.initialDefault: \"open\" is not a default policy; use allow-all, balanced or deny-all")]
    [InlineData("policy:\n  initialDefault: Balanced\n", "gateway.yaml:2: policy.initialDefault: \"Balanced\" is not a default policy; use allow-all, balanced or deny-all")]
    [InlineData("policy:\n  mode: audit\n", "gateway.yaml:2: policy.mode: \"audit\" is not a policy mode; use enforce or report")]
    public void BadPolicyChoices_ListTheValidOnes(string yaml, string expected) => AssertOneError(yaml, expected);

    private static void AssertOneError(string yaml, string expected)
    {
        (_, List<string> errors) = ConfigTestLoader.Load(yaml);
        Assert.Equal([expected], errors);
    }
}
