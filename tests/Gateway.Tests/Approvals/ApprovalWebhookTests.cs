using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Approvals;
using Gateway.Configuration;
using Gateway.Metrics;
using Gateway.Tests.Listeners;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Approvals;

/// <summary>The ask-mode webhook: a JSON POST signed with an HMAC header, whose failure never holds up a decision.</summary>
public sealed class ApprovalWebhookTests : IAsyncLifetime
{
    private const string Secret = "a-webhook-secret-of-the-test-0123";
    private readonly TaskCompletionSource<(byte[] Body, string Signature)> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestUpstream _upstream = null!;
    private WebApplication _receiver = null!;
    private string _receiverUrl = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _received.TrySetResult((body.ToArray(), context.Request.Headers[ApprovalWebhook.SignatureHeader].ToString()));
            return Results.NoContent();
        });
        await _receiver.StartAsync();
        _receiverUrl = _receiver.Urls.Single() + "/hook";
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task ANewPendingApproval_IsPostedAsSignedJson_WhileTheRequestWaits()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(
            TimeSpan.FromSeconds(60), ask: ask => ask with { Webhook = new Uri(_receiverUrl), WebhookSecret = Secret });
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync("-x", gateway.ProxyUrl, $"http://api.example.test:{_upstream.HttpPort}/");

        (byte[] body, string signature) = await _received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Checked the way a receiver would: HMAC-SHA256 of the raw body, compared in constant time.
        byte[] expected = Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
        Assert.True(CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)), signature);
        JsonElement notice = JsonDocument.Parse(body).RootElement;
        string id = notice.GetProperty("id").GetString()!;
        Assert.Equal(("pending", "host", "api.example.test", _upstream.HttpPort, "forward"),
            (notice.GetProperty("event").GetString(), notice.GetProperty("sandbox").GetString(), notice.GetProperty("host").GetString(),
             notice.GetProperty("port").GetInt32(), notice.GetProperty("proxy").GetString()));
        Assert.Equal($"gateway policy approve {id}", notice.GetProperty("approve").GetString());
        Assert.False(curl.IsCompleted);

        Assert.Equal(0, gateway.Cli("policy", "approve", id).Exit);
        Assert.Equal("hello from api.example.test", (await curl).Stdout);
    }

    [Fact]
    public async Task AnUnreachableWebhook_IsLoggedAndCounted_AndNeverAnswersForTheOperator()
    {
        // Port 1 on loopback: nothing listens, the connect is refused at once.
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(
            TimeSpan.FromSeconds(60), ask: ask => ask with { Webhook = new Uri("http://127.0.0.1:1/hook"), WebhookSecret = Secret });
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync("-x", gateway.ProxyUrl, $"http://api.example.test:{_upstream.HttpPort}/");
        string id = (await AskGateway.WaitForPendingAsync(gateway, "api.example.test")).GetProperty("id").GetString()!;

        string metrics = string.Empty;
        for (int i = 0; i < 300 && !metrics.Contains("gateway_errors_total{kind=\"approval_webhook\"} 1", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            metrics = (await Curl.RunAsync(gateway.MetricsUrl + "/metrics")).Stdout;
        }

        Assert.Contains("gateway_errors_total{kind=\"approval_webhook\"} 1", metrics, StringComparison.Ordinal);
        Assert.False(curl.IsCompleted);
        Assert.Equal(0, gateway.Cli("policy", "approve", id).Exit);
        Assert.Equal("hello from api.example.test", (await curl).Stdout);
    }

    [Fact]
    public async Task AReceiverThatAnswersAnError_IsAFailure()
    {
        GatewayConfig defaults = GatewayConfig.CreateDefault(Path.GetTempPath());
        GatewayConfig config = defaults with
        {
            Policy = defaults.Policy with { Ask = AskConfig.Disabled with { Enabled = true, Webhook = new Uri(_receiverUrl + "/missing"), WebhookSecret = Secret } },
        };
        var metrics = new GatewayMetrics();
        using var webhook = new ApprovalWebhook(config, metrics, NullLogger<ApprovalWebhook>.Instance);
        var pending = new PendingApproval("abcdefgh", "dev", "api.example.test", 443, "forward", "forward", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(30));

        Assert.False(await webhook.SendAsync(pending).WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
