using System.Collections.Frozen;
using System.Net;
using Gateway.Configuration;
using Gateway.Interception.Certificates;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>
/// A gateway whose sandbox "dev" (127.0.0.1) runs a kit that binds a credential to api.example.test, inspects
/// other.example.test (no credential), and merely allows git.example.test (relayed end-to-end); a real TLS
/// origin behind all three (<see cref="InterceptUpstream"/>); the gateway's CA exported for curl.
/// </summary>
internal sealed class DlpGateway : IAsyncDisposable
{
    private readonly string _directory;

    private DlpGateway(string directory, InterceptTestCa upstreamCa, InterceptUpstream upstream, GatewayUnderTest gateway, CapturedLogs logs, string secretVariable)
    {
        _directory = directory;
        UpstreamCa = upstreamCa;
        Upstream = upstream;
        Gateway = gateway;
        Logs = logs;
        SecretVariable = secretVariable;
        GatewayCaPath = Path.Combine(directory, "gateway-ca.pem");
        File.WriteAllText(GatewayCaPath, gateway.Services.GetRequiredService<CertificateAuthority>().CertificatePem);
    }

    public InterceptTestCa UpstreamCa { get; }

    public InterceptUpstream Upstream { get; }

    public GatewayUnderTest Gateway { get; }

    public CapturedLogs Logs { get; }

    public string SecretVariable { get; }

    public string GatewayCaPath { get; }

    public string Directory => _directory;

    /// <summary>Starts everything with <c>network.dlp: <paramref name="dlp"/></c>; the credential's value is <paramref name="secret"/>.</summary>
    public static async Task<DlpGateway> StartAsync(string secret, string dlp = "block")
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("gw-dlp-").FullName;
        string secretVariable = "GW_DLP_SECRET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(secretVariable, secret);
        string kit = Path.Combine(directory, "spec.yaml");
        await File.WriteAllTextAsync(kit, $$"""
            schemaVersion: "1"
            kind: mixin
            name: dlp-kit
            network:
              allowedDomains: [api.example.test, other.example.test, git.example.test]
              serviceDomains:
                api.example.test: svc
              serviceAuth:
                svc: {headerName: Authorization, valueFormat: "Bearer %s"}
              inspect: [other.example.test]
              dlp: {{dlp}}
            credentials:
              sources:
                svc: {env: [{{secretVariable}}]}
            """);
        var upstreamCa = new InterceptTestCa();
        InterceptUpstream upstream = await InterceptUpstream.StartAsync(upstreamCa);
        var logs = new CapturedLogs();
        GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with
            {
                Kits = [kit],
                Sandboxes = [new SandboxConfig("dev", [IPAddress.Loopback], ["dlp-kit"], null)],
                Trust = new TrustConfig([upstreamCa.PemPath]),
                Resolve = new ResolveConfig(GatewayUnderTest.TestHosts.Append(new("git.example.test", IPAddress.Loopback)).ToFrozenDictionary()),
            },
            logging: l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        return new DlpGateway(directory, upstreamCa, upstream, gateway, logs, secretVariable);
    }

    /// <summary>curl through the forward proxy, trusting only the gateway's CA (so an intercepted host works, a relayed one does not).</summary>
    public Task<(int Exit, string Stdout, string Stderr)> CurlAsync(string host, string path, params string[] extra) =>
        Curl.RunAsync(["--cacert", GatewayCaPath, "-x", Gateway.ProxyUrl, "--suppress-connect-headers", .. extra, $"https://{host}:{Upstream.Port}{path}"]);

    /// <summary>Writes <paramref name="content"/> to a file of the fixture's directory, for curl's --data-binary @FILE.</summary>
    public string WriteFile(string name, byte[] content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Stops the gateway (flushing the audit log) and returns the log, the metrics scrape and the captured logs.</summary>
    public async Task<(string Audit, string Metrics, string Logs)> StopAndReadAsync()
    {
        using var scrape = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string metrics = await scrape.GetStringAsync(Gateway.MetricsUrl + "/metrics");
        await Gateway.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
        string audit = await File.ReadAllTextAsync(Path.Combine(Gateway.StateDir, "audit.jsonl"));
        return (audit, metrics, Logs.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        UpstreamCa.Dispose();
        Environment.SetEnvironmentVariable(SecretVariable, null);
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
