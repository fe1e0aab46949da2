using System.Collections.Frozen;
using System.Net;
using Gateway.Configuration;
using Gateway.Interception.Certificates;
using Gateway.Listeners;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Interception;

/// <summary>
/// A gateway whose sandbox "dev" (127.0.0.1) runs a kit binding a credential to api.example.test,
/// with L7 rules on rules.example.test and other.example.test merely allowed; a TLS upstream
/// with its own CA behind all three names; the gateway's CA exported for curl.
/// </summary>
internal sealed class InterceptedGateway : IAsyncDisposable
{
    private readonly string _directory;

    private InterceptedGateway(string directory, InterceptTestCa upstreamCa, InterceptUpstream upstream, GatewayUnderTest gateway, CapturedLogs logs, string secretVariable, string managedVariable)
    {
        _directory = directory;
        UpstreamCa = upstreamCa;
        Upstream = upstream;
        Gateway = gateway;
        Logs = logs;
        SecretVariable = secretVariable;
        ManagedVariable = managedVariable;
        GatewayCaPath = Path.Combine(directory, "gateway-ca.pem");
        File.WriteAllText(GatewayCaPath, gateway.Services.GetRequiredService<CertificateAuthority>().CertificatePem);
    }

    public InterceptTestCa UpstreamCa { get; }

    public InterceptUpstream Upstream { get; }

    public GatewayUnderTest Gateway { get; }

    public CapturedLogs Logs { get; }

    /// <summary>The host variable the serviceAuth source reads first.</summary>
    public string SecretVariable { get; }

    /// <summary>The proxy-managed variable (read by the same source, so bound to api.example.test).</summary>
    public string ManagedVariable { get; }

    /// <summary>The gateway's interception CA, as `gateway ca export` prints it.</summary>
    public string GatewayCaPath { get; }

    public int? TransparentTlsPort => Gateway.PortOf(ListenerKind.TransparentTls);

    /// <summary>Starts everything; <paramref name="secret"/> goes into the source's variable unless null (a missing credential).</summary>
    /// <param name="configure">Last word on the configuration (a test's own limits).</param>
    public static async Task<InterceptedGateway> StartAsync(
        string? secret, string? managedValue = null, bool transparent = false, PolicyMode mode = PolicyMode.Enforce, Func<GatewayConfig, GatewayConfig>? configure = null)
    {
        string directory = Directory.CreateTempSubdirectory("gw-intercept-").FullName;
        string suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        string secretVariable = "GW_TEST_SECRET_" + suffix;
        string managedVariable = "GW_TEST_MANAGED_" + suffix;
        Environment.SetEnvironmentVariable(secretVariable, secret);
        Environment.SetEnvironmentVariable(managedVariable, managedValue);
        string kit = Path.Combine(directory, "spec.yaml");
        await File.WriteAllTextAsync(kit, $"""
            schemaVersion: "1"
            kind: mixin
            name: intercept-kit
            network:
              allowedDomains: [api.example.test, other.example.test, rules.example.test]
              serviceDomains:
                api.example.test: svc
              serviceAuth:
                svc: {"{"}headerName: Authorization, valueFormat: "Bearer %s"{"}"}
              rules:
                - {"{"}host: rules.example.test, methods: [GET, HEAD], decision: allow{"}"}
                - {"{"}host: rules.example.test, paths: ["/admin", "/repos/*/keys", "/user/keys"], decision: deny{"}"}
            credentials:
              sources:
                svc: {"{"}env: [{secretVariable}, {managedVariable}]{"}"}
            environment:
              variables: {"{"}EDITOR: vi{"}"}
              proxyManaged: [{managedVariable}]
            """);
        var upstreamCa = new InterceptTestCa();
        InterceptUpstream upstream = await InterceptUpstream.StartAsync(upstreamCa);
        var logs = new CapturedLogs();
        GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => (configure ?? (c => c))(config with
            {
                Policy = config.Policy with { Mode = mode },
                Kits = [kit],
                Sandboxes = [new SandboxConfig("dev", [IPAddress.Loopback], ["intercept-kit"], null)],
                Trust = new TrustConfig([upstreamCa.PemPath]),
                Resolve = new ResolveConfig(GatewayUnderTest.TestHosts.Append(new("rules.example.test", IPAddress.Loopback)).ToFrozenDictionary()),
                Listen = transparent ? config.Listen with { TransparentTls = new IPEndPoint(IPAddress.Loopback, 0) } : config.Listen,
                Transparent = config.Transparent with { DialTlsPort = upstream.Port },
            }),
            logging: l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        return new InterceptedGateway(directory, upstreamCa, upstream, gateway, logs, secretVariable, managedVariable);
    }

    /// <summary>curl through the forward proxy, trusting only the gateway's CA.</summary>
    public Task<(int Exit, string Stdout, string Stderr)> CurlAsync(string host, string path, params string[] extra) =>
        Curl.RunAsync(["--cacert", GatewayCaPath, "-x", Gateway.ProxyUrl, "--suppress-connect-headers", .. extra, $"https://{host}:{Upstream.Port}{path}"]);

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        UpstreamCa.Dispose();
        Environment.SetEnvironmentVariable(SecretVariable, null);
        Environment.SetEnvironmentVariable(ManagedVariable, null);
        Directory.Delete(_directory, recursive: true);
    }
}
