using System.Globalization;
using System.Net;
using System.Text.Json;
using LoadDriver.Recording;

namespace LoadDriver.Load;

/// <summary>
/// <c>LoadDriver load</c>: one ad-hoc run against a proxy already running (for profiling one
/// path with <c>perf</c> or <c>dotnet-trace</c> attached), printing the result as JSON.
/// </summary>
/// <remarks>
/// <c>load --connect 127.0.0.1:3128 [--via connect|socks5|direct] --port ORIGIN_PORT [--host NAME]
/// [--tls-root ca.pem] [--per-request] [--concurrency N | --rate R] [--seconds S] [--size BYTES]
/// [--expect-header "Name: value"] [--requests N] [--source IP]</c>. <c>--host</c> is one name,
/// <c>warm:N</c> or <c>unique:FROM</c> (<see cref="HostSet.Parse"/>: S6's warm and cold host sets). <c>--source</c> makes every
/// connection leave from one address (one sandbox of the gateway's config). With <c>--requests</c> exactly N requests run
/// (no warm-up, every one counted; <c>--seconds</c> is then only a deadline), so another tool can
/// account for each of them (perf/soak.sh compares them with the gateway's audit events).
/// </remarks>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        bool perRequest = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--per-request")
            {
                perRequest = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                options[args[i][2..]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"load: unexpected argument \"{args[i]}\"");
            }
        }

        string Get(string key, string fallback) => options.GetValueOrDefault(key, fallback);
        IPEndPoint connect = IPEndPoint.Parse(options.GetValueOrDefault("connect") ?? throw new ArgumentException("load: --connect HOST:PORT is required"));
        RouteKind kind = Get("via", "connect") switch
        {
            "connect" => RouteKind.HttpConnect,
            "socks5" => RouteKind.Socks5,
            "direct" => RouteKind.Direct,
            string other => throw new ArgumentException($"load: --via {other}: use connect, socks5 or direct"),
        };
        using var root = options.TryGetValue("tls-root", out string? rootPath) ? Origin.OriginCertificates.LoadPem(rootPath) : null;
        var route = new Route(kind, connect, int.Parse(Get("port", connect.Port.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture), root)
        {
            Source = options.TryGetValue("source", out string? source) ? IPAddress.Parse(source) : null,
        };
        var spec = new LoadSpec(
            route,
            HostSet.Parse(Get("host", "127.0.0.1")),
            perRequest,
            int.Parse(Get("size", "128"), CultureInfo.InvariantCulture),
            options.GetValueOrDefault("expect-header"),
            TimeSpan.FromSeconds(10));
        TimeSpan window = TimeSpan.FromSeconds(double.Parse(Get("seconds", "10"), CultureInfo.InvariantCulture));
        RunResult result = options.TryGetValue("requests", out string? requests)
            ? await LoadRunner.CountedAsync(spec, int.Parse(Get("concurrency", "16"), CultureInfo.InvariantCulture), long.Parse(requests, CultureInfo.InvariantCulture), window).ConfigureAwait(false)
            : options.TryGetValue("rate", out string? rate)
            ? await LoadRunner.OpenLoopAsync(spec, double.Parse(rate, CultureInfo.InvariantCulture), int.Parse(Get("concurrency", "64"), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1), window).ConfigureAwait(false)
            : await LoadRunner.ClosedLoopAsync(spec, int.Parse(Get("concurrency", "16"), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1), window).ConfigureAwait(false);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            requestsPerSecond = result.Ok / result.Elapsed.TotalSeconds,
            ok = result.Ok,
            sent = result.Ok + result.ErrorCount,
            elapsedSeconds = result.Elapsed.TotalSeconds,
            errors = result.Errors,
            firstError = result.FirstError,
            latencyUs = LatencySummary.From(result.Latency),
            p90Us = result.Latency.ValueAtPercentile(90) / 1000.0,
        }));
        return result.ErrorCount == 0 ? 0 : 1;
    }
}
