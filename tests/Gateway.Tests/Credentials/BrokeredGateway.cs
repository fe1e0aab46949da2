using System.Collections.Frozen;
using System.Net;
using Gateway.Configuration;
using Gateway.Interception.Certificates;
using Gateway.Listeners;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Credentials;

/// <summary>
/// The real daemon with one kit the test writes (sandbox "dev" = 127.0.0.1), the TLS upstream of
/// the interception tests behind every *.example.test name it binds, the test CA trusted for both
/// the upstream and token endpoints, and the gateway CA exported for clients.
/// </summary>
internal sealed class BrokeredGateway : IAsyncDisposable
{
    private static readonly string[] s_names =
        ["api.example.test", "other.example.test", "rules.example.test", "basic.example.test", "query.example.test", "command.example.test", "down.example.test", "git.example.test"];

    private readonly string _directory;

    private BrokeredGateway(string directory, InterceptUpstream upstream, GatewayUnderTest gateway, CapturedLogs logs)
    {
        _directory = directory;
        Upstream = upstream;
        Gateway = gateway;
        Logs = logs;
        GatewayCaPath = Path.Combine(directory, "gateway-ca.pem");
        File.WriteAllText(GatewayCaPath, gateway.Services.GetRequiredService<CertificateAuthority>().CertificatePem);
    }

    public InterceptUpstream Upstream { get; }

    public GatewayUnderTest Gateway { get; }

    public CapturedLogs Logs { get; }

    public string GatewayCaPath { get; }

    public int? TransparentTlsPort => Gateway.PortOf(ListenerKind.TransparentTls);

    /// <summary>Starts the gateway with <paramref name="kitBody"/> (network, credentials, environment sections) as kit "brokered".</summary>
    /// <param name="transparentTls">Where the transparent TLS listener binds; null for none.</param>
    /// <param name="dialTlsPort">The port the transparent listener dials upstream (the upstream's by default).</param>
    /// <param name="services">Last word on the daemon's services (a test's own clock).</param>
    public static async Task<BrokeredGateway> StartAsync(InterceptTestCa ca, string kitBody, IPEndPoint? transparentTls = null, int? dialTlsPort = null, Action<IServiceCollection>? services = null)
    {
        string directory = Directory.CreateTempSubdirectory("gw-brokered-").FullName;
        string kit = Path.Combine(directory, "spec.yaml");
        await File.WriteAllTextAsync(kit, "schemaVersion: \"1\"\nkind: mixin\nname: brokered\n" + kitBody);
        InterceptUpstream upstream = await InterceptUpstream.StartAsync(ca);
        var logs = new CapturedLogs();
        var hosts = new Dictionary<string, IPAddress>(GatewayUnderTest.TestHosts);
        foreach (string name in s_names)
        {
            hosts[name] = IPAddress.Loopback;
        }

        GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with
            {
                Kits = [kit],
                Sandboxes = [new SandboxConfig("dev", [IPAddress.Loopback, IPAddress.Parse("127.0.0.2")], ["brokered"], null)],
                Trust = new TrustConfig([ca.PemPath]),
                Resolve = new ResolveConfig(hosts.ToFrozenDictionary()),
                Listen = transparentTls is not null ? config.Listen with { TransparentTls = transparentTls } : config.Listen,
                Transparent = config.Transparent with { DialTlsPort = dialTlsPort ?? upstream.Port },
            },
            services: services,
            logging: l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        return new BrokeredGateway(directory, upstream, gateway, logs);
    }

    /// <summary>curl through the forward proxy, trusting only the gateway's CA.</summary>
    public Task<(int Exit, string Stdout, string Stderr)> CurlAsync(string host, string pathAndQuery, params string[] extra) =>
        Curl.RunAsync(["--cacert", GatewayCaPath, "-x", Gateway.ProxyUrl, "--suppress-connect-headers", .. extra, $"https://{host}:{Upstream.Port}{pathAndQuery}"]);

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
