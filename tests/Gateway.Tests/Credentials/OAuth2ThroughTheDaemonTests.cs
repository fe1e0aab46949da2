using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Listeners;
using Gateway.Tests.Interception;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18 item 5, the OAuth2 token endpoint through the daemon rather than the broker alone:
/// 50 concurrent intercepted requests (each its own CONNECT tunnel, HttpClient through the forward
/// proxy) to an oauth2-bound host make exactly one fetch at the local token endpoint and all carry
/// its token; after expiry, 50 more make exactly one refresh; with the endpoint down, a request after
/// expiry is a 502 naming the source and nothing reaches the upstream. The daemon's clock is the
/// test's, so expiry needs no waiting.
/// </summary>
public sealed class OAuth2ThroughTheDaemonTests : IAsyncLifetime
{
    private const int Concurrent = 50;
    private const string ClientSecret = "client-s3cr3t-daemon-6d21";
    private readonly InterceptTestCa _ca = new();
    private readonly ManualClock _clock = ManualClock.AtNow();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private TokenEndpoint _endpoint = null!;
    private BrokeredGateway _env = null!;
    private int _minted;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("GW_DAEMON_ID_" + _suffix, "daemon-client");
        Environment.SetEnvironmentVariable("GW_DAEMON_SECRET_" + _suffix, ClientSecret);
        _endpoint = await TokenEndpoint.StartAsync(_ca, "/oauth/token", (context, form) =>
        {
            string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("daemon-client:" + ClientSecret));
            if (context.Request.Headers.Authorization != expected || form["grant_type"] != "client_credentials")
            {
                return Task.FromResult(Results.Json(new { error = "invalid_client" }, statusCode: 401));
            }

            int minted = Interlocked.Increment(ref _minted);
            return Task.FromResult(Results.Json(new { access_token = "daemon-minted-" + minted, token_type = "Bearer", expires_in = 3600 }));
        });
        _env = await BrokeredGateway.StartAsync(
            _ca,
            $$"""
            network:
              allowedDomains: [api.example.test]
              serviceDomains:
                api.example.test: internal
              serviceAuth:
                internal: { scheme: bearer }
            credentials:
              sources:
                internal:
                  oauth2:
                    tokenUrl: {{_endpoint.Url}}
                    grant: client_credentials
                    clientId: { env: [GW_DAEMON_ID_{{_suffix}}] }
                    clientSecret: { env: [GW_DAEMON_SECRET_{{_suffix}}] }
            """,
            services: s => s.AddSingleton<TimeProvider>(_clock));
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        await _endpoint.DisposeAsync();
        _ca.Dispose();
        Environment.SetEnvironmentVariable("GW_DAEMON_ID_" + _suffix, null);
        Environment.SetEnvironmentVariable("GW_DAEMON_SECRET_" + _suffix, null);
    }

    [Fact]
    public async Task FiftyConcurrentRequests_MakeOneFetch_ExpiryOneRefresh_AndADownEndpointIsA502NamingTheSource()
    {
        using HttpClient client = ThroughTheGateway();

        await SendConcurrentlyAsync(client, "first");
        Assert.Equal(1, _endpoint.Hits);
        AssertEachCarried("first", "Bearer daemon-minted-1");

        // Past expires_in: the token is not used again; the 50 requests wait for one refresh.
        _clock.Advance(TimeSpan.FromSeconds(3601));
        await SendConcurrentlyAsync(client, "second");
        Assert.Equal(2, _endpoint.Hits);
        AssertEachCarried("second", "Bearer daemon-minted-2");

        // The endpoint goes away; once the token has expired the request is refused, not sent.
        await _endpoint.DisposeAsync();
        _clock.Advance(TimeSpan.FromSeconds(3601));
        using HttpResponseMessage refused = await client.GetAsync($"https://api.example.test:{_env.Upstream.Port}/down/after-expiry").WaitAsync(TimeSpan.FromSeconds(60));
        string body = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("could not get credential \"internal\": the token endpoint " + _endpoint.Url + " could not be reached", body, StringComparison.Ordinal);
        Assert.Contains("the request to api.example.test was not sent", body, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/down/after-expiry"));

        string logs = _env.Logs.ToString();
        Assert.DoesNotContain(ClientSecret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("daemon-minted-", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, body, StringComparison.Ordinal);
    }

    // 50 requests at once, each on a tunnel of its own; the endpoint holds its answer until every
    // tunnel is open, so the requests reach the broker while the one fetch is still outstanding.
    private async Task SendConcurrentlyAsync(HttpClient client, string round)
    {
        int hitsBefore = _endpoint.Hits;
        _endpoint.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = new Task<HttpResponseMessage>[Concurrent];
        for (int i = 0; i < Concurrent; i++)
        {
            requests[i] = client.GetAsync($"https://api.example.test:{_env.Upstream.Port}/{round}/{i}");
        }

        ConnectionGate gate = _env.Gateway.Services.GetRequiredService<ConnectionGate>();
        var clock = Stopwatch.StartNew();
        while ((_endpoint.Hits == hitsBefore || gate.Open < Concurrent) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        Assert.True(_endpoint.Hits > hitsBefore, "no request reached the token endpoint");
        await Task.Delay(500); // lets the last tunnels' requests reach the broker; the count below holds either way
        _endpoint.Gate.SetResult();
        HttpResponseMessage[] responses = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(120));
        foreach (HttpResponseMessage response in responses)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        _endpoint.Gate = null;
    }

    private void AssertEachCarried(string round, string authorization)
    {
        for (int i = 0; i < Concurrent; i++)
        {
            Assert.Equal(authorization, Assert.Single(_env.Upstream.For($"/{round}/{i}")).Headers["Authorization"]);
        }
    }

    // HTTP/1.1 through the forward proxy: one CONNECT tunnel per concurrent request, trusting only the gateway's CA.
    private HttpClient ThroughTheGateway()
    {
        X509Certificate2 gatewayCa = X509CertificateLoader.LoadCertificateFromFile(_env.GatewayCaPath);
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        trust.CustomTrustStore.Add(gatewayCa);
        var handler = new SocketsHttpHandler
        {
            Proxy = new WebProxy(_env.Gateway.ProxyUrl),
            UseProxy = true,
            MaxConnectionsPerServer = Concurrent,
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = trust },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120), DefaultRequestVersion = HttpVersion.Version11 };
    }
}
