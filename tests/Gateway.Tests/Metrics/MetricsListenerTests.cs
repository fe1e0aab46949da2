using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Hosting;
using Gateway.Listeners;
using Gateway.Metrics;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Metrics;

/// <summary>The real daemon's metrics listener on 127.0.0.1:0, scraped with HttpClient while real clients use the proxy.</summary>
public sealed partial class MetricsListenerTests : IAsyncLifetime
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayUnderTest.StartAsync(
        [
            ["policy", "set-default", "deny-all"],
            ["policy", "allow", "network", "api.example.test"],
        ]);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Scrape_AfterTraffic_ParsesAndHasEveryDesignMetric()
    {
        await MakeTrafficAsync();

        using HttpResponseMessage response = await _http.GetAsync(_gateway.MetricsUrl + "/metrics");
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Scrape scrape = Scrape.Parse(text);
        foreach ((string name, string type) in GatewayMetricsTests.DesignMetrics)
        {
            Assert.True(scrape.Families.TryGetValue(name, out PrometheusFamily? family), $"{name} missing from:\n{text}");
            Assert.Equal(type, family.Type);
        }

        Assert.All(scrape.Families.Keys, name => Assert.StartsWith("gateway_", name, StringComparison.Ordinal));
        Assert.Equal(3, scrape.Value("gateway_connections_total", ("listener", "forward")));
        Assert.Equal(1, scrape.Value("gateway_policy_rules", ("source", "local")));
        Assert.Equal(0, scrape.Value("gateway_policy_rules", ("source", "builtin")));
        Assert.Equal(0, scrape.Value("gateway_audit_dropped_total"));
    }

    [Fact]
    public async Task NoLabelValue_LooksLikeAHostName()
    {
        await MakeTrafficAsync();

        Scrape scrape = await ScrapeAsync();

        foreach (PrometheusSample sample in scrape.Samples)
        {
            foreach ((string label, string value) in sample.Labels)
            {
                bool bucketBound = label == "le"
                    && (value == "+Inf" || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
                Assert.True(bucketBound || Word().IsMatch(value), $"{sample.Name}{{{label}=\"{value}\"}} could carry a host name");
            }
        }

        Assert.DoesNotContain("example.test", scrape.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("127.0.0.1", scrape.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counters_MoveAsClientsConnect_AndAsThePolicyReloads()
    {
        Scrape before = await ScrapeAsync();
        using (RawClient client = await RawClient.ConnectAsync(_gateway.Port))
        {
            await client.SendAsync("CONNECT other.example.test:443 HTTP/1.1\r\nHost: other.example.test:443\r\n\r\n");
            Assert.Equal(403, (await client.ReadResponseAsync()).Status);
        }

        (int exit, string output) = _gateway.Cli("policy", "allow", "network", "other.example.test");
        Assert.True(exit == 0, output);
        Scrape after = await ScrapeAsync();

        Assert.Equal(0, before.Value("gateway_connections_total", ("listener", "forward")));
        Assert.Equal(1, after.Value("gateway_connections_total", ("listener", "forward")));
        Assert.Equal(1, after.Value("gateway_policy_rules", ("source", "local")) - before.Value("gateway_policy_rules", ("source", "local")));
        Assert.True(after.Value("gateway_policy_reloads_total") > before.Value("gateway_policy_reloads_total"), after.Text);
        Assert.Equal(0, after.Value("gateway_policy_reload_failures_total"));
    }

    [Fact]
    public async Task ConnectionsActive_IsTheOpenTunnelCount()
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        await client.SendAsync($"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\nHost: api.example.test:{_upstream.HttpPort}\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);

        Scrape open = await ScrapeAsync();
        client.Socket.Shutdown(SocketShutdown.Both);

        Assert.Equal(1, open.Value("gateway_connections_active"));
    }

    [Fact]
    public async Task Healthz_Is200Ok()
    {
        using HttpResponseMessage response = await _http.GetAsync(_gateway.MetricsUrl + MetricsEndpoints.HealthPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_Is200_OnceStarted()
    {
        using HttpResponseMessage response = await _http.GetAsync(_gateway.MetricsUrl + MetricsEndpoints.ReadyPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", await response.Content.ReadAsStringAsync());
        Assert.True(_gateway.Services.GetRequiredService<Readiness>().IsReady);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task ForwardPort_DoesNotServeMetricsPaths(string path)
    {
        using HttpResponseMessage response = await _http.GetAsync($"{_gateway.ProxyUrl}{path}");
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("forward proxy, not a web server", body, StringComparison.Ordinal);
        Assert.DoesNotContain("gateway_", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/status")]
    [InlineData("/")]
    [InlineData("/metricsx")]
    public async Task MetricsPort_ServesNothingElse_NotEvenTheAdminApi(string path)
    {
        using HttpResponseMessage response = await _http.GetAsync(_gateway.MetricsUrl + path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task MetricsPort_IsNotAProxy()
    {
        using var viaMetrics = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy(_gateway.MetricsUrl), UseProxy = true })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

        using HttpResponseMessage response = await viaMetrics.GetAsync($"http://api.example.test:{_upstream.HttpPort}/headers");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task MetricsListener_CanBeAUnixSocket()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            configure: c => c with { Listen = c.Listen with { Metrics = new UnixDomainSocketEndPoint(Path.Combine(c.StateDir, "metrics.sock")) } });
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, cancellation) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(gateway.StateDir, "metrics.sock")), cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { Timeout = TimeSpan.FromSeconds(30) };

        Scrape scrape = Scrape.Parse(await http.GetStringAsync("http://metrics/metrics"));

        Assert.Null(gateway.MetricsPort);
        Assert.Contains("gateway_decisions_total", scrape.Families.Keys);
        Assert.Equal("ready", await http.GetStringAsync("http://metrics/readyz"));
    }

    [Fact]
    public async Task MetricsListener_CanBeTurnedOff()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            configure: c => c with { Listen = c.Listen with { Metrics = null } });

        Assert.Null(gateway.MetricsPort);
        Assert.Null(gateway.Services.GetRequiredService<ListenerEndPoints>().EndPointOf(ListenerKind.Metrics));
    }

    // Three connections on the forward port: a tunnel through, a CONNECT refused, an absolute-form request.
    private async Task MakeTrafficAsync()
    {
        var (exit, _, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, $"https://api.example.test:{_upstream.HttpsPort}/");
        Assert.True(exit == 0, stderr);
        using (RawClient client = await RawClient.ConnectAsync(_gateway.Port))
        {
            await client.SendAsync("CONNECT other.example.test:443 HTTP/1.1\r\nHost: other.example.test:443\r\n\r\n");
            Assert.Equal(403, (await client.ReadResponseAsync()).Status);
        }

        (exit, _, stderr) = await Curl.RunAsync("-x", _gateway.ProxyUrl, $"http://api.example.test:{_upstream.HttpPort}/headers");
        Assert.True(exit == 0, stderr);
    }

    private async Task<Scrape> ScrapeAsync() => Scrape.Parse(await _http.GetStringAsync(_gateway.MetricsUrl + "/metrics"));

    // The label vocabulary: words and underscores only, so never a dotted name, an address or a port.
    [GeneratedRegex("^[A-Za-z_]+$")]
    private static partial Regex Word();
}
