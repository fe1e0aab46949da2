using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Gateway.Metrics;
using Gateway.Tests.Interception;
using Gateway.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Attacks;

/// <summary>
/// Issue 16 point 4: one HTTP/2 client connection to an intercepted host, many concurrent streams,
/// an upstream that speaks HTTP/1.1 only and holds every request. Each stream in flight needs an
/// upstream socket of its own, so before the fix 60 streams made 60 upstream sockets, outside every
/// limit. Now a client connection has <c>limits.upstreamRequestsPerConnection</c> requests in flight
/// upstream at most (16 by default); the rest wait, counted in
/// <c>gateway_upstream_requests_queued_total</c>, and every one is answered once the upstream lets go.
/// </summary>
public sealed class Http2UpstreamFanOutAttackTests(ITestOutputHelper output)
{
    private const int Streams = 60;

    [Theory]
    [InlineData(null)]
    [InlineData(4)]
    public async Task OneHttp2Connection_WithManyConcurrentStreams_OpensNoMoreUpstreamSocketsThanItsSlots(int? configured)
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync(
            "fan-out-secret",
            configure: c => configured is { } n ? c with { Limits = c.Limits with { UpstreamRequestsPerConnection = n } } : c);
        int slots = configured ?? 16;
        using X509Certificate2 certificate = env.UpstreamCa.Issue("api.example.test");
        await using HoldingHttp11Upstream upstream = await HoldingHttp11Upstream.StartAsync(certificate);
        GatewayMetrics metrics = env.Gateway.Services.GetRequiredService<GatewayMetrics>();

        await using RawHttp2Connection h2 = await RawHttp2Connection.OpenAsync(env.Gateway.Port, "api.example.test", upstream.Port, env.GatewayCaPath);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Task<bool> drain = h2.DrainAsync(reading.Token);
        string authority = $"api.example.test:{upstream.Port}";
        for (int s = 0; s < Streams; s++)
        {
            await h2.SendHeadersAsync(1 + (2 * s), [(":method", "GET"), (":scheme", "https"), (":authority", authority), (":path", $"/stream/{s}")], endStream: true);
        }

        // Every stream has reached the gateway: held by the upstream, or waiting for a slot.
        (double queued, double active) = await WaitForAsync(metrics, () => upstream.Held >= slots, Streams - slots, TimeSpan.FromSeconds(60));
        output.WriteLine($"{Streams} streams, {slots} slots: upstream accepted {upstream.Accepted} connections, held {upstream.Held} requests; queued {queued}, active {active}");
        Assert.Equal(slots, upstream.Held);
        Assert.True(upstream.Accepted <= slots, $"{upstream.Accepted} upstream connections for {slots} slots");
        Assert.Equal(Streams - slots, queued);
        Assert.Equal(slots, active);

        // Released, every stream is served over the same few sockets.
        upstream.Release();
        var clock = Stopwatch.StartNew();
        while (upstream.Answered < Streams && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        Assert.Equal(Streams, upstream.Answered);
        Assert.True(upstream.Accepted <= slots, $"{upstream.Accepted} upstream connections for {slots} slots");
        (_, active) = await WaitForAsync(metrics, () => true, 0, TimeSpan.FromSeconds(30), activeAtMost: 0);
        Assert.Equal(0, active);
        await reading.CancelAsync();
        await drain.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<(double Queued, double Active)> WaitForAsync(GatewayMetrics metrics, Func<bool> condition, int queuedAtLeast, TimeSpan wait, double activeAtMost = double.MaxValue)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Scrape scrape = await Scrape.OfAsync(metrics);
            double queued = scrape.Value("gateway_upstream_requests_queued_total");
            double active = scrape.Value("gateway_upstream_requests_active");
            if ((condition() && queued >= queuedAtLeast && active <= activeAtMost) || clock.Elapsed > wait)
            {
                return (queued, active);
            }

            await Task.Delay(100);
        }
    }
}
