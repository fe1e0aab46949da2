using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

/// <summary><c>policy.ask</c> through the validator: defaults, every key, and the mistakes it explains.</summary>
public sealed class AskConfigTests
{
    [Fact]
    public void WithoutTheSection_AskModeIsOff_WithTheDocumentedDefaults()
    {
        GatewayConfig config = ConfigTestLoader.LoadValid("");

        Assert.Equal(new AskConfig(false, TimeSpan.FromSeconds(30), null, null, null, 16), config.Policy.Ask);
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        GatewayConfig config = ConfigTestLoader.LoadValid(
            "policy:\n  ask:\n    enabled: true\n    holdFor: 2m\n    webhook: https://hooks.example.com/gateway\n"
            + "    webhookSecret: 0123456789abcdef0123\n    maxPendingPerSandbox: 4\n");

        Assert.Equal(
            new AskConfig(true, TimeSpan.FromMinutes(2), new Uri("https://hooks.example.com/gateway"), "0123456789abcdef0123", null, 4),
            config.Policy.Ask);
    }

    [Fact]
    public void TheEnvironment_TurnsItOn()
    {
        GatewayConfig config = ConfigTestLoader.LoadValid("", ("GATEWAY__POLICY__ASK__ENABLED", "true"), ("GATEWAY__POLICY__ASK__HOLDFOR", "45s"));

        Assert.Equal((true, TimeSpan.FromSeconds(45)), (config.Policy.Ask.Enabled, config.Policy.Ask.HoldFor));
    }

    [Theory]
    [InlineData("policy:\n  ask:\n    enable: true\n", "gateway.yaml:3: policy.ask.enable: unknown key; did you mean \"enabled\"?")]
    [InlineData("policy:\n  ask:\n    enabled: yes\n", "gateway.yaml:3: policy.ask.enabled: \"yes\" is not a flag; use true or false")]
    [InlineData("policy:\n  ask:\n    holdFor: forever\n", "gateway.yaml:3: policy.ask.holdFor: \"forever\" is not a duration; use e.g. 10s, 500ms, 5m")]
    [InlineData("policy:\n  ask:\n    holdFor: 1h\n", "gateway.yaml:3: policy.ask.holdFor: longer than 10m; clients give up on a silent proxy long before, use e.g. 30s")]
    [InlineData("policy:\n  ask:\n    maxPendingPerSandbox: 0\n", "gateway.yaml:3: policy.ask.maxPendingPerSandbox: 0 is out of range; use 1-1024")]
    [InlineData("policy:\n  ask:\n    webhook: ftp://hooks.example.com/x\n    webhookSecret: 0123456789abcdef\n", "gateway.yaml:3: policy.ask.webhook: \"ftp://hooks.example.com/x\" is not an http(s) URL; use e.g. https://hooks.example.com/gateway")]
    [InlineData("policy:\n  ask:\n    webhook: https://hooks.example.com/x\n", "gateway.yaml:3: policy.ask.webhook: needs policy.ask.webhookSecret or policy.ask.webhookSecretFile to sign its POSTs with")]
    [InlineData("policy:\n  ask:\n    webhookSecret: short\n", "gateway.yaml:3: policy.ask.webhookSecret: shorter than 16 characters; use a long random value (e.g. `openssl rand -hex 32`)")]
    public void Mistakes_AreExplained(string yaml, string expected)
    {
        (_, List<string> errors) = ConfigTestLoader.Load(yaml);

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void TheUnknownKeyOfPolicy_ListsAsk()
    {
        (_, List<string> errors) = ConfigTestLoader.Load("policy:\n  asks: {}\n");

        Assert.Equal(["gateway.yaml:2: policy.asks: unknown key; did you mean \"ask\"?"], errors);
    }
}
