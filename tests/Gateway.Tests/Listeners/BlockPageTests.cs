using System.Net;
using Gateway.Configuration;
using Gateway.Dns;
using Gateway.Interception.Certificates;
using Gateway.Listeners;
using Gateway.Tests.Dns;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Listeners;

/// <summary>
/// Issue 20 point 4: one denial story. With <c>listen.blockPage: true</c> a blocked name reads the
/// same with curl on every path: the forward proxy's 403, the transparent HTTP listener's 403, and
/// on the transparent TLS listener a leaf from the gateway CA and that same 403 body; with
/// <c>dns.blocked: gateway</c> the name resolves to the gateway, whose listener says why.
/// </summary>
public sealed class BlockPageTests : IAsyncLifetime
{
    private GatewayUnderTest _gateway = null!;
    private string _caPath = null!;
    private int _tls;
    private int _http;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with
            {
                Listen = config.Listen with
                {
                    TransparentTls = new IPEndPoint(IPAddress.Loopback, 0),
                    TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0),
                    Dns = new IPEndPoint(IPAddress.Loopback, 0),
                    BlockPage = true,
                },
                Dns = new DnsConfig(null, DnsBlockedAnswer.Gateway),
            });
        _tls = _gateway.PortOf(ListenerKind.TransparentTls)!.Value;
        _http = _gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        _caPath = Path.Combine(_gateway.StateDir, "test-gateway-ca.pem");
        await File.WriteAllTextAsync(_caPath, _gateway.Services.GetRequiredService<CertificateAuthority>().CertificatePem);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task ABlockedName_ReadsTheSame_OnEveryPath()
    {
        string forward = await BodyAsync("-x", _gateway.ProxyUrl, "http://blocked.example.test/");
        string http = await BodyAsync("--resolve", $"blocked.example.test:{_http}:127.0.0.1", $"http://blocked.example.test:{_http}/");
        string tls = await BodyAsync("--cacert", _caPath, "--resolve", $"blocked.example.test:{_tls}:127.0.0.1", $"https://blocked.example.test:{_tls}/some/path?q=1");

        // Not redirected by nftables here: the transparent listeners take the configured ports (80, 443).
        foreach ((string path, string body, int port) in new[] { ("forward", forward, 80), ("transparent HTTP", http, 80), ("transparent TLS", tls, 443) })
        {
            Assert.True(body.StartsWith("403\n", StringComparison.Ordinal), $"{path}: {body}");
            Assert.Contains($"Blocked by the egress gateway: blocked.example.test:{port} for sandbox host.", body, StringComparison.Ordinal);
            Assert.Contains("Rule: no-match (source: default).", body, StringComparison.Ordinal);
            Assert.Contains("To allow it: gateway policy allow network blocked.example.test", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheBlockPage_IsAudited_OnceAsBlocked_AndSaysItIsTheGateway()
    {
        (int exit, string stdout, string stderr) = await Curl.RunAsync(
            "-i", "--cacert", _caPath, "--resolve", $"blocked.example.test:{_tls}:127.0.0.1", $"https://blocked.example.test:{_tls}/");

        Assert.True(exit == 0, stderr);
        Assert.Contains("X-Gateway-Decision: blocked", stdout, StringComparison.OrdinalIgnoreCase);
        await _gateway.StopAsync();
        string[] lines = await File.ReadAllLinesAsync(Path.Combine(_gateway.StateDir, "audit.jsonl"));
        string line = Assert.Single(lines, l => l.Contains("\"host\":\"blocked.example.test\"", StringComparison.Ordinal));
        Assert.Contains("\"decision\":\"blocked\"", line, StringComparison.Ordinal);
        Assert.Contains("\"proxy\":\"transparent\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatDoesNotTrustTheGatewayCa_IsStillRefused()
    {
        (int exit, _, _) = await Curl.RunAsync("--resolve", $"blocked.example.test:{_tls}:127.0.0.1", $"https://blocked.example.test:{_tls}/");

        Assert.Equal(60, exit); // the peer's certificate is not trusted: refused, not let through
    }

    [DigFact]
    public async Task DnsGateway_ResolvesABlockedName_ToTheGateway_WhereTheBlockPageSaysWhy()
    {
        int dns = _gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;

        (_, string answer) = await Dig.RunAsync($"@127.0.0.1 -p {dns} blocked.example.test A +short +tries=1 +time=2");
        string address = answer.Trim();
        string body = await BodyAsync("--cacert", _caPath, "--resolve", $"blocked.example.test:{_tls}:{address}", $"https://blocked.example.test:{_tls}/");

        Assert.Equal("127.0.0.1", address);
        Assert.StartsWith("403\n", body, StringComparison.Ordinal);
        Assert.Contains("To allow it: gateway policy allow network blocked.example.test", body, StringComparison.Ordinal);
    }

    // The status on the first line, then the body.
    private static async Task<string> BodyAsync(params string[] args)
    {
        (int exit, string stdout, string stderr) = await Curl.RunAsync(["-w", "%{http_code}\n", "-o", "/dev/stderr", .. args]);
        Assert.True(exit == 0, stderr);
        return stdout + stderr;
    }
}
