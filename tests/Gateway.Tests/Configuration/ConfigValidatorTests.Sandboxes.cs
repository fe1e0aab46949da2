using Gateway.Configuration;
using System.Net;

namespace Gateway.Tests.Configuration;

public partial class ConfigValidatorTests
{
    [Theory]
    [InlineData("credentials:\n  sources:\n    \"my service\": { env: [KEY] }\n", "gateway.yaml:3: credentials.sources[\"my service\"]: \"my service\" is not a credential source name; use letters, digits, '-', '_' and '.', starting with a letter or digit")]
    [InlineData("credentials:\n  sources:\n    svc: {}\n", "gateway.yaml:3: credentials.sources.svc: a credential source needs env: [VARIABLE], file: PATH, or username and password")]
    [InlineData("credentials:\n  sources:\n    svc: { env: [MY-KEY] }\n", "gateway.yaml:3: credentials.sources.svc.env[0]: \"MY-KEY\" is not an environment variable name; use letters, digits and '_', not starting with a digit")]
    [InlineData("credentials:\n  sources:\n    svc: { env: MY_KEY }\n", "gateway.yaml:3: credentials.sources.svc.env: expected a list, found a value; write [MY_KEY]")]
    [InlineData("credentials:\n  sources:\n    svc: { env: [A], username: u, password: { env: [P] } }\n", "gateway.yaml:3: credentials.sources.svc: use env/file for one secret or username and password for a pair, not both")]
    [InlineData("credentials:\n  sources:\n    svc: { username: u }\n", "gateway.yaml:3: credentials.sources.svc: username needs a password")]
    [InlineData("credentials:\n  sources:\n    svc: { username: u, password: hunter2 }\n", "gateway.yaml:3: credentials.sources.svc.password: a secret is never written in the configuration; read it with env: [VARIABLE] or file: PATH")]
    [InlineData("credentials:\n  sources:\n    svc: { username: u, password: {} }\n", "gateway.yaml:3: credentials.sources.svc.password: needs env: [VARIABLE] or file: PATH")]
    [InlineData("credentials:\n  sources:\n    svc: { username: u, password: { vault: x } }\n", "gateway.yaml:3: credentials.sources.svc.password.vault: unknown key; valid keys are env, file")]
    [InlineData("credentials:\n  sources:\n    svc: { envs: [A] }\n", "gateway.yaml:3: credentials.sources.svc.envs: unknown key; did you mean \"env\"?")]
    public void BadCredentialSource_IsExplained(string yaml, string expected)
    {
        (_, List<string> errors) = ConfigTestLoader.Load(yaml);

        // An unknown key also leaves the source empty; the first line is the one that names the fix.
        Assert.Equal(expected, errors[0]);
        Assert.DoesNotContain(errors, e => e.Contains("hunter2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sandboxes:\n  - { name: Dev, addresses: [10.209.0.2] }\n", "gateway.yaml:2: sandboxes[0].name: \"Dev\" is not a sandbox name; use lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters")]
    [InlineData("sandboxes:\n  - { name: -dev, addresses: [10.209.0.2] }\n", "gateway.yaml:2: sandboxes[0].name: \"-dev\" is not a sandbox name; use lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters")]
    [InlineData("sandboxes:\n  - { name: dev_1, addresses: [10.209.0.2] }\n", "gateway.yaml:2: sandboxes[0].name: \"dev_1\" is not a sandbox name; use lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters")]
    [InlineData("sandboxes:\n  - { addresses: [10.209.0.2] }\n", "gateway.yaml:2: sandboxes[0]: a sandbox needs a name")]
    [InlineData("sandboxes:\n  - { name: dev }\n", "gateway.yaml:2: sandboxes[0]: a sandbox needs addresses: [IP, …], the source addresses it connects from")]
    [InlineData("sandboxes:\n  - { name: dev, addresses: [] }\n", "gateway.yaml:2: sandboxes[0]: a sandbox needs addresses: [IP, …], the source addresses it connects from")]
    [InlineData("sandboxes:\n  - { name: dev, addresses: [host.example.test] }\n", "gateway.yaml:2: sandboxes[0].addresses[0]: \"host.example.test\" is not an IP address; write a literal such as 10.209.0.2 or fd00::2")]
    [InlineData("sandboxes:\n  - { name: dev, addresses: [10.209.0.2] }\n  - { name: dev, addresses: [10.209.0.6] }\n", "gateway.yaml:3: sandboxes[1].name: \"dev\" is already the name of sandboxes[0]; sandbox names are unique")]
    [InlineData("sandboxes:\n  - { name: a, addresses: [10.209.0.2] }\n  - { name: b, addresses: [\"::ffff:10.209.0.2\"] }\n", "gateway.yaml:3: sandboxes[1].addresses[0]: 10.209.0.2 already identifies sandbox \"a\"; an address belongs to one sandbox")]
    [InlineData("sandboxes:\n  - { name: dev, addresses: [10.209.0.2], kits: [\"\"] }\n", "gateway.yaml:2: sandboxes[0].kits[0]: \"\" is not a kit name; name a kit as its spec.yaml does")]
    [InlineData("sandboxes:\n  - { name: dev, addresses: [10.209.0.2], token: short-secret }\n", "gateway.yaml:2: sandboxes[0].token: the token is 12 characters; use at least 16 random ones, e.g. from openssl rand -hex 16")]
    [InlineData("sandboxes:\n  - { name: dev, addresses: [10.209.0.2], token: \"long enough but spaced\" }\n", "gateway.yaml:2: sandboxes[0].token: a token holds visible ASCII characters only (it travels in a Proxy-Authorization header)")]
    [InlineData("sandboxes:\n  - dev\n", "gateway.yaml:2: sandboxes[0]: expected a section (name, addresses, kits, token, budgets), found a value")]
    [InlineData("sandboxes:\n  -\n", "gateway.yaml:2: sandboxes[0]: empty; write { name: NAME, addresses: [IP] }")]
    public void BadSandbox_IsExplained(string yaml, string expected)
    {
        (_, List<string> errors) = ConfigTestLoader.Load(yaml);
        Assert.Equal([expected], errors);
        Assert.DoesNotContain(errors, e => e.Contains("short-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Sandbox_AddressesAreFoldedAndKitsKept()
    {
        var config = ConfigTestLoader.LoadValid(
            "sandboxes:\n  - name: agent-1\n    addresses: [\"::ffff:10.209.0.2\", \"fd00::2\"]\n    kits: [base, my-kit]\n");
        Assert.Equal<IPAddress>([IPAddress.Parse("10.209.0.2"), IPAddress.Parse("fd00::2")], config.Sandboxes[0].Addresses);
        Assert.Equal<string>(["base", "my-kit"], config.Sandboxes[0].Kits);
    }

    [Fact]
    public void CredentialSource_UsernameMayComeFromEnvironmentOrFile()
    {
        var config = ConfigTestLoader.LoadValid(
            "credentials:\n  sources:\n    corp:\n      username: { env: [PROXY_USER] }\n      password: { file: secrets/pw }\n");
        var corp = config.Credentials.Sources["corp"];
        Assert.Equal<string>(["PROXY_USER"], corp.Username!.Environment);
        Assert.Null(corp.Username.Literal);
        Assert.Equal("/work/cwd/secrets/pw", corp.Password!.File);
        Assert.Null(corp.Secret);
    }

    [Fact]
    public void SandboxBudgets_AreRead_EachOptional()
    {
        (GatewayConfig? config, List<string> errors) = ConfigTestLoader.Load(
            "sandboxes:\n  - { name: dev, addresses: [10.209.0.2], budgets: { connections: 200, connectionsPerSecond: 50, requestsPerSecond: 100, uploadBytesPerHour: 1GiB } }\n"
            + "  - { name: ci, addresses: [10.209.0.6], budgets: { requestsPerSecond: 10 } }\n  - { name: free, addresses: [10.209.0.10] }\n");

        Assert.Empty(errors);
        Assert.Equal(
            [new PolicyCompiler.Budgets.BudgetLimits(200, 50, 100, 1L << 30), new PolicyCompiler.Budgets.BudgetLimits(null, null, 10, null), PolicyCompiler.Budgets.BudgetLimits.None],
            config!.Sandboxes.Select(s => s.Budgets));
    }

    [Theory]
    [InlineData("budgets: { connections: 0 }", "gateway.yaml:2: sandboxes[0].budgets.connections: 0 is out of range; use 1-10000000 (leave connections out for no bound)")]
    [InlineData("budgets: { requestsPerSecond: lots }", "gateway.yaml:2: sandboxes[0].budgets.requestsPerSecond: \"lots\" is not a whole number; write e.g. requestsPerSecond: 100")]
    [InlineData("budgets: { uploadBytesPerHour: 1G }", "gateway.yaml:2: sandboxes[0].budgets.uploadBytesPerHour: \"1G\" is not a size; write e.g. uploadBytesPerHour: 1GiB (units B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)")]
    [InlineData("budgets: { connection: 5 }", "gateway.yaml:2: sandboxes[0].budgets.connection: unknown key; did you mean \"connections\"?")]
    [InlineData("budgets: 5", "gateway.yaml:2: sandboxes[0].budgets: expected a section (connections, connectionsPerSecond, requestsPerSecond, uploadBytesPerHour), found a value")]
    public void BadSandboxBudget_IsExplained(string budgets, string expected)
    {
        (_, List<string> errors) = ConfigTestLoader.Load("sandboxes:\n  - { name: dev, addresses: [10.209.0.2], " + budgets + " }\n");

        Assert.Equal([expected], errors);
    }
}
