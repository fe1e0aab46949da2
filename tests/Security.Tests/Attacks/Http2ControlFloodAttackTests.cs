using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Metrics;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Gateway.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Attacks;

/// <summary>
/// Issue 16 point 4: a flood of HTTP/2 control frames on an intercepted connection (SETTINGS,
/// PING, WINDOW_UPDATE on stream 0, empty DATA, PRIORITY) kept about a core busy per connection with
/// no GOAWAY; Kestrel 10 bounds none of them. Now the gateway counts them before Kestrel reads them
/// and closes the connection past <c>limits.http2ControlFramesPerSecond</c> (1,000 by default),
/// counted in <c>gateway_errors_total{kind="control_frame_flood"}</c>; an ordinary HTTP/2 client
/// (curl, many requests and a large download on one connection) is not affected.
/// </summary>
public sealed partial class Http2ControlFloodAttackTests(ITestOutputHelper output)
{
    private const int FramesPerWrite = 1000;
    private const int MaxWrites = 200;
    private const int Limit = 1000;

    public static TheoryData<string> Floods => ["settings", "ping", "window-update", "empty-data", "priority"];

    [Theory]
    [MemberData(nameof(Floods))]
    public async Task ControlFrameFlood_ClosesTheConnection_WithinABoundedNumberOfFrames(string flood)
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync("flood-secret");
        GatewayMetrics metrics = env.Gateway.Services.GetRequiredService<GatewayMetrics>();
        await using RawHttp2Connection h2 = await RawHttp2Connection.OpenAsync(env.Gateway.Port, "api.example.test", env.Upstream.Port, env.GatewayCaPath);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Task<bool> drain = h2.DrainAsync(reading.Token);
        if (flood == "empty-data")
        {
            // An open stream the empty DATA frames belong to: a POST whose body never comes.
            string authority = $"api.example.test:{env.Upstream.Port}";
            await h2.SendHeadersAsync(1, [(":method", "POST"), (":scheme", "https"), (":authority", authority), (":path", "/sink")], endStream: false);
        }

        byte[] batch = Batch(flood);
        int writes = 0;
        var clock = Stopwatch.StartNew();
        while (writes < MaxWrites && !h2.WriteFailed && !drain.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await h2.WriteRawAsync(batch);
            writes++;
        }

        bool closed = await Task.WhenAny(drain, Task.Delay(TimeSpan.FromSeconds(30))) == drain;
        output.WriteLine($"{flood}: {writes} writes of {FramesPerWrite} frames in {clock.Elapsed.TotalSeconds:0.0} s; write failed {h2.WriteFailed}, closed {closed}");
        Assert.True(closed, "the gateway did not close a flooding connection");

        // The client's writes may all fit in socket buffers before the close reaches it; what counts
        // is how many frames the gateway read before closing, as it logged them.
        Match logged = FloodLine().Match(env.Logs.ToString());
        Assert.True(logged.Success, "no flood line in the log");
        long frames = long.Parse(logged.Groups["frames"].Value, System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine(logged.Value);
        Assert.True(frames <= 5 * Limit, $"{frames} frames read before the close");

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(1, scrape.Value("gateway_errors_total", ("kind", "control_frame_flood")));

        // The gateway still serves: a fresh connection gets its answer.
        (int exit, string stdout, string stderr) = await env.CurlAsync("api.example.test", "/after", "-sS", "--http2");
        Assert.True(exit == 0, stderr);
        Assert.Contains("/after", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_ManyRequestsAndALargeDownload_OnOneHttp2Connection_IsNotTakenForAFlood()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync("flood-secret");
        GatewayMetrics metrics = env.Gateway.Services.GetRequiredService<GatewayMetrics>();
        const int Requests = 200;
        string origin = $"https://api.example.test:{env.Upstream.Port}";
        var args = new List<string> { "--cacert", env.GatewayCaPath, "-x", env.Gateway.ProxyUrl, "--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version} %{num_connects}\\n" };
        args.Add($"{origin}/chunked/{64 * 1024 * 1024}");
        for (int i = 0; i < Requests; i++)
        {
            args.AddRange(["-o", "/dev/null", $"{origin}/chunked/{1024 * (1 + (i % 16))}"]);
        }

        (int exit, string stdout, string stderr) = await Curl.RunAsync([.. args]);
        Assert.True(exit == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Requests + 1, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("200 2 ", l, StringComparison.Ordinal));
        output.WriteLine($"new connections after the first transfer: {lines.Skip(1).Count(l => !l.EndsWith(" 0", StringComparison.Ordinal))}");
        Assert.All(lines.Skip(1), l => Assert.EndsWith(" 0", l, StringComparison.Ordinal)); // one connection for all

        Scrape scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(0, scrape.Value("gateway_errors_total", ("kind", "control_frame_flood")));
    }

    private static byte[] Batch(string flood)
    {
        byte[] frame = flood switch
        {
            "settings" => RawHttp2Connection.Frame(RawHttp2Connection.Settings, 0, 0, []),
            "ping" => RawHttp2Connection.Frame(RawHttp2Connection.Ping, 0, 0, new byte[8]),
            "window-update" => RawHttp2Connection.Frame(0x8, 0, 0, [0, 0, 0, 1]),
            "empty-data" => RawHttp2Connection.Frame(RawHttp2Connection.Data, 0, 1, []),
            "priority" => RawHttp2Connection.Frame(0x2, 0, 3, [0, 0, 0, 0, 16]),
            _ => throw new ArgumentOutOfRangeException(nameof(flood)),
        };
        byte[] batch = new byte[frame.Length * FramesPerWrite];
        for (int i = 0; i < FramesPerWrite; i++)
        {
            frame.CopyTo(batch, i * frame.Length);
        }

        return batch;
    }

    [GeneratedRegex(@"control-frame flood \((?<counted>\d+) control frames within a second, (?<frames>\d+) frames in all\)")]
    private static partial Regex FloodLine();
}
