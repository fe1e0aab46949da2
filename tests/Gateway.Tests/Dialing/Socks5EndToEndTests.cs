using System.Collections.Frozen;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Listeners;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Dialing;

/// <summary>
/// Issue 8: the real gateway in front of a real Dante. curl → gateway (decides) → Dante →
/// loopback upstream. Dante runs with <c>external: lo</c> and the system resolver, so the test
/// names (<c>*.example.test</c>) do not resolve on its side: data tests use 127.0.0.1, name tests
/// read Dante's log for the name it was asked to resolve.
/// </summary>
public sealed class Socks5EndToEndTests
{
    private static readonly string[][] s_allowLoopbackAndTestNames =
    [
        ["policy", "set-default", "deny-all"],
        ["policy", "allow", "network", "127.0.0.1,api.example.test,unresolvable.example.test"],
    ];

    [DanteFact]
    public async Task Connect_ToAnIPLiteral_TunnelsThroughDante_AndTheAuditSaysSocks5()
    {
        await using Dante dante = await Dante.StartAsync();
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        GatewayUnderTest gateway = await StartGatewayAsync(dante);
        try
        {
            (int exit, string body, string stderr) = await Curl.RunAsync("-k", "-x", gateway.ProxyUrl, $"https://127.0.0.1:{upstream.HttpsPort}/");

            Assert.True(exit == 0, stderr);
            Assert.Equal("hello from 127.0.0.1", body);
            Assert.Contains("tcp/connect [", dante.Log(), StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1.{upstream.HttpsPort}", dante.Log(), StringComparison.Ordinal);
            JsonElement e = Assert.Single(await AuditAsync(gateway));
            Assert.Equal(("allowed", 200, "socks5"), (e.GetProperty("decision").GetString(), e.GetProperty("status").GetInt32(), e.GetProperty("upstream").GetString()));
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    [DanteFact]
    public async Task AbsoluteFormRequest_GoesThroughDante()
    {
        await using Dante dante = await Dante.StartAsync();
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        await using GatewayUnderTest gateway = await StartGatewayAsync(dante);

        (int exit, string body, string stderr) = await Curl.RunAsync("-x", gateway.ProxyUrl, $"http://127.0.0.1:{upstream.HttpPort}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from 127.0.0.1", body);
        Assert.Contains($"127.0.0.1.{upstream.HttpPort}", dante.Log(), StringComparison.Ordinal);
    }

    [DanteFact]
    public async Task AbsoluteFormRequest_ToANameDanteCannotResolve_Is502NamingTheProxy_AndAuditedAsSocks5()
    {
        await using Dante dante = await Dante.StartAsync();
        GatewayUnderTest gateway = await StartGatewayAsync(dante);
        try
        {
            (_, string body, _) = await Curl.RunAsync("-x", gateway.ProxyUrl, "-w", "\n%{http_code}", "http://unresolvable.example.test/");

            Assert.Equal($"unresolvable.example.test:80: SOCKS5 proxy socks5://127.0.0.1:{dante.Port}: host unreachable.\n\n502", body);
            Assert.Contains("\"unresolvable.example.test\"", dante.Log(), StringComparison.Ordinal);
            JsonElement e = Assert.Single(await AuditAsync(gateway));
            Assert.Equal((502, "socks5"), (e.GetProperty("status").GetInt32(), e.GetProperty("upstream").GetString()));
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    [DanteFact]
    public async Task HostName_GoesToDanteAsAName_NotResolvedByTheGateway()
    {
        await using Dante dante = await Dante.StartAsync();
        // api.example.test is pinned to 127.0.0.1 in the gateway's resolve.hosts: with SOCKS5 on
        // the gateway must not use that, and Dante (which cannot resolve it) must see the name.
        await using GatewayUnderTest gateway = await StartGatewayAsync(dante);

        (int exit, string body, _) = await Curl.RunAsync("-k", "-x", gateway.ProxyUrl, "-w", "%{http_connect}", "https://api.example.test:443/");

        Assert.NotEqual(0, exit);
        Assert.Equal("502", body);
        Assert.Contains("could not resolve hostname \"api.example.test\"", dante.Log(), StringComparison.Ordinal);
    }

    [DanteFact]
    public async Task UnresolvableName_Is502_WithTheReasonAndTheProxy()
    {
        await using Dante dante = await Dante.StartAsync();
        await using GatewayUnderTest gateway = await StartGatewayAsync(dante);

        (int status, _, string body) = await ConnectAsync(gateway, "unresolvable.example.test:443");

        Assert.Equal(502, status);
        Assert.Contains($"SOCKS5 proxy socks5://127.0.0.1:{dante.Port}: host unreachable", body, StringComparison.Ordinal);
        Assert.Contains("\"unresolvable.example.test\"", dante.Log(), StringComparison.Ordinal);
    }

    [DanteFact]
    public async Task TransparentTls_SendsTheSniNameToDante()
    {
        await using Dante dante = await Dante.StartAsync();
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            s_allowLoopbackAndTestNames,
            config => config with
            {
                Listen = config.Listen with { TransparentTls = new IPEndPoint(IPAddress.Loopback, 0) },
                Upstream = new UpstreamConfig(dante.EndPoint, null),
            });
        int port = gateway.PortOf(ListenerKind.TransparentTls)!.Value;

        (int exit, _, _) = await Curl.RunAsync("-k", "--resolve", $"api.example.test:{port}:127.0.0.1", $"https://api.example.test:{port}/");

        Assert.NotEqual(0, exit); // Dante cannot resolve the test name: the relay is refused, as a failed dial is
        Assert.Contains("could not resolve hostname \"api.example.test\"", dante.Log(), StringComparison.Ordinal);
    }

    [DanteFact]
    public async Task BlockedHost_NeverReachesDante()
    {
        await using Dante dante = await Dante.StartAsync();
        await using GatewayUnderTest gateway = await StartGatewayAsync(dante);

        (int status, _, _) = await ConnectAsync(gateway, "blocked.example.test:443");

        Assert.Equal(403, status);
        Assert.Equal(0, dante.AcceptedConnections());
        Assert.DoesNotContain("blocked.example.test", dante.Log(), StringComparison.Ordinal);
    }

    [DanteFact]
    public async Task GuardedDestinations_NeverReachDante_EvenUnderAllowAll()
    {
        await using Dante dante = await Dante.StartAsync();
        // "**" opens no refused range; with SOCKS5 on, literals are still guarded and loopback
        // names are refused outright (a proxy on this host would reach the gateway's own ports).
        await using GatewayUnderTest gateway = await StartGatewayAsync(dante, [["policy", "set-default", "allow-all"]], openLoopback: false);

        foreach (string target in (string[])["169.254.169.254:80", "127.0.0.1:9090", "localhost:9090", "admin.localhost:9090", "[::1]:9090"])
        {
            (int status, string head, _) = await ConnectAsync(gateway, target);
            Assert.True(status == 403, target + ": " + head);
        }

        Assert.Equal(0, dante.AcceptedConnections());
    }

    [DanteFact]
    public async Task DanteStopped_Is502NamingTheProxy()
    {
        Dante dante = await Dante.StartAsync();
        int port = dante.Port;
        await dante.DisposeAsync();
        await using GatewayUnderTest gateway = await StartGatewayAsync(dante);

        (int status, _, string body) = await ConnectAsync(gateway, "127.0.0.1:443");

        Assert.Equal(502, status);
        Assert.Contains($"SOCKS5 proxy socks5://127.0.0.1:{port}: unreachable", body, StringComparison.Ordinal);
    }

    [DanteFact]
    public async Task Transfer100MiB_ThroughDante_ArrivesIntact()
    {
        const long Size = 100L * 1024 * 1024;
        await using Dante dante = await Dante.StartAsync();
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        await using GatewayUnderTest gateway = await StartGatewayAsync(dante);
        string file = Path.Combine(gateway.StateDir, "download.bin");

        (int exit, _, string stderr) = await Curl.RunAsync("-k", "-x", gateway.ProxyUrl, "-o", file, $"https://127.0.0.1:{upstream.HttpsPort}/bytes/{Size}");

        Assert.True(exit == 0, stderr);
        await using FileStream actual = File.OpenRead(file);
        Assert.Equal(Size, actual.Length);
        Assert.Equal(TestUpstream.PatternSha256(Size), Convert.ToHexString(await SHA256.HashDataAsync(actual)));
    }

    [DanteFact]
    public async Task KitProxy_RoutesOnlyItsSandboxes_ThroughDante()
    {
        await using Dante dante = await Dante.StartAsync();
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        string kitDir = Directory.CreateTempSubdirectory("gw-socks-kit-").FullName;
        string kit = Path.Combine(kitDir, "spec.yaml");
        await File.WriteAllTextAsync(kit, $"""
            schemaVersion: "1"
            kind: mixin
            name: proxied
            network:
              allowedDomains: ["127.0.0.1"]
              proxy:
                type: socks5
                address: 127.0.0.1:{dante.Port}
            """);
        try
        {
            // 127.0.0.2 is the kit's sandbox; 127.0.0.1 is the unregistered host, which dials directly.
            await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
                s_allowLoopbackAndTestNames,
                config => config with
                {
                    Kits = [kit],
                    Sandboxes = [new SandboxConfig("dev", [IPAddress.Parse("127.0.0.2")], ["proxied"], null)],
                });

            int throughDante = (await ConnectAsync(gateway, $"127.0.0.1:{upstream.HttpPort}", IPAddress.Parse("127.0.0.2"))).Status;
            int acceptedAfterKitSandbox = dante.AcceptedConnections();
            int direct = (await ConnectAsync(gateway, $"127.0.0.1:{upstream.HttpPort}", IPAddress.Loopback)).Status;

            Assert.Equal((200, 200), (throughDante, direct));
            Assert.Equal(1, acceptedAfterKitSandbox);
            Assert.Equal(1, dante.AcceptedConnections());
        }
        finally
        {
            Directory.Delete(kitDir, recursive: true);
        }
    }

    internal static async Task<GatewayUnderTest> StartGatewayAsync(
        Dante dante, string[][]? policy = null, bool openLoopback = true, string? credential = null, CredentialsConfig? credentials = null) =>
        await GatewayUnderTest.StartAsync(
            policy ?? s_allowLoopbackAndTestNames,
            config => config with
            {
                Upstream = new UpstreamConfig(dante.EndPoint, credential),
                Credentials = credentials ?? new CredentialsConfig(FrozenDictionary<string, CredentialSourceConfig>.Empty),
            },
            openLoopback);

    /// <summary>Every audit event so far; stops the gateway first so the writer has flushed.</summary>
    internal static async Task<List<JsonElement>> AuditAsync(GatewayUnderTest gateway)
    {
        await gateway.StopAsync();
        return [.. File.ReadAllLines(Path.Combine(gateway.StateDir, "audit.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)];
    }

    /// <summary>One raw CONNECT (what curl would not send, or a source address other than 127.0.0.1) and its response.</summary>
    internal static async Task<(int Status, string Head, string Body)> ConnectAsync(GatewayUnderTest gateway, string authority, IPAddress? source = null)
    {
        using RawClient client = await RawClient.ConnectAsync(gateway.Port, source);
        await client.SendAsync($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        return await client.ReadResponseAsync();
    }
}
