using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using LoadDriver.Suite.Peers;
using LoadDriver.Suite.Results;
using LoadDriver.Suite.Scenarios;

namespace LoadDriver.Suite;

/// <summary>
/// <c>LoadDriver suite</c>: starts the origin, the gateway and every peer on loopback, runs the
/// scenarios, stops everything it started by PID (also on failure), and writes latest.json and
/// latest.md.
/// </summary>
internal static class SuiteRunner
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PreferredObjectCreationHandling = System.Text.Json.Serialization.JsonObjectCreationHandling.Populate,
    };

    /// <summary><c>LoadDriver report latest.json</c>: renders latest.md again from a run's raw figures (after a change to the report's layout).</summary>
    public static async Task<int> RenderAsync(string json)
    {
        SuiteResults results = JsonSerializer.Deserialize<SuiteResults>(await File.ReadAllTextAsync(json).ConfigureAwait(false), s_json)
            ?? throw new ArgumentException($"{json} holds no results");
        string markdown = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(json))!, "latest.md");
        await File.WriteAllTextAsync(markdown, Report.ReportWriter.Render(results)).ConfigureAwait(false);
        SuiteContext.Say($"wrote {markdown}");
        return 0;
    }

    public static async Task<int> RunAsync(SuiteOptions options)
    {
        var results = new SuiteResults
        {
            Command = options.Command,
            Quick = options.Quick,
            WarmupSeconds = options.Warmup.TotalSeconds,
            WindowSeconds = options.Window.TotalSeconds,
            Started = DateTimeOffset.UtcNow,
            Machine = MachineInfo.Describe(),
        };
        MachineInfo.AddVersions(results.Versions, options.Root);
        using (var context = new SuiteContext(options))
        {
            await StartOriginAsync(context).ConfigureAwait(false);
            var peers = new PeerSet();
            var recorder = new Recorder(context, results);
            await StartPeersAsync(context, peers).ConfigureAwait(false);

            if (options.Runs(BulkScenario.Id))
            {
                await BulkScenario.RunAsync(recorder, peers).ConfigureAwait(false);
            }

            if (options.Runs(SocksScenario.Id))
            {
                await StartSocksAsync(context, peers).ConfigureAwait(false);
                await SocksScenario.RunAsync(recorder, peers).ConfigureAwait(false);
                StopPeer(peers, "dante");
                StopPeer(peers, "gateway→dante");
            }

            if (options.Runs(NewTunnelsScenario.Id))
            {
                await NewTunnelsScenario.RunAsync(recorder, peers).ConfigureAwait(false);
            }

            if (options.Runs(LongLivedScenario.Id))
            {
                await LongLivedScenario.RunAsync(recorder, peers).ConfigureAwait(false);
            }

            if (options.Runs(SniScenario.Id))
            {
                await SniScenario.RunAsync(recorder, peers).ConfigureAwait(false);
            }

            if (options.Runs(InterceptScenario.Id))
            {
                X509Certificate2? gatewayCa = await StartInterceptionAsync(context, peers).ConfigureAwait(false);
                await InterceptScenario.RunAsync(recorder, peers, gatewayCa).ConfigureAwait(false);
                StopPeer(peers, "mitmproxy");
                StopPeer(peers, "gateway-intercept");
            }

            if (options.Runs(NewTunnelsScenario.RulesId))
            {
                await peers.StartAsync("gateway-100k", () => Gateway.StartAsync(context, new GatewaySetup("gateway-100k", ExtraRules: 100_000))).ConfigureAwait(false);
                await NewTunnelsScenario.RunRulesAsync(recorder, peers).ConfigureAwait(false);
                StopPeer(peers, "gateway-100k");
            }

            if (options.Runs(IdleScenario.Id))
            {
                await IdleScenario.RunAsync(recorder, peers).ConfigureAwait(false);
            }
        }

        if (options.MicroDir is { } micro && Directory.Exists(micro))
        {
            foreach (string report in Directory.EnumerateFiles(micro, "*-report-github.md", SearchOption.AllDirectories))
            {
                string name = Path.GetFileName(report).Replace("-report-github.md", "", StringComparison.Ordinal);
                results.MicroBenchmarks[name[(name.LastIndexOf('.') + 1)..]] = await File.ReadAllTextAsync(report).ConfigureAwait(false);
            }
        }

        results.Finished = DateTimeOffset.UtcNow;
        results.LoadAverageAtEnd = MachineInfo.LoadAverage();
        Directory.CreateDirectory(options.ResultsDir);
        await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "latest.json"), JsonSerializer.Serialize(results, s_json)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "latest.md"), Report.ReportWriter.Render(results)).ConfigureAwait(false);
        SuiteContext.Say($"wrote {Path.Combine(options.ResultsDir, "latest.md")}");
        return 0;
    }

    private static async Task StartOriginAsync(SuiteContext context)
    {
        context.OriginHttp = Ports.Free();
        context.OriginTls = Ports.Free();
        context.OriginBulk = Ports.Free();
        string driver = typeof(SuiteRunner).Assembly.Location;
        ManagedProcess origin = context.StartLoadSide(
            "origin",
            "dotnet",
            driver,
            "origin",
            "--cert-dir", context.Work,
            "--http", context.OriginHttp.ToString(CultureInfo.InvariantCulture),
            "--tls", context.OriginTls.ToString(CultureInfo.InvariantCulture),
            "--bulk", context.OriginBulk.ToString(CultureInfo.InvariantCulture));
        foreach (int port in (int[])[context.OriginHttp, context.OriginTls, context.OriginBulk])
        {
            if (!await origin.WaitForPortAsync(port, TimeSpan.FromSeconds(30)).ConfigureAwait(false))
            {
                throw new InvalidOperationException("the origin did not start: " + origin.Tail());
            }
        }

        context.OriginCa = Origin.OriginCertificates.LoadCa(context.Work);
    }

    private static async Task StartPeersAsync(SuiteContext context, PeerSet peers)
    {
        SuiteOptions options = context.Options;
        bool relays = options.Runs("S1") || options.Runs("S3") || options.Runs("S4") || options.Runs("S5") || options.Runs("S7");
        bool connect = options.Runs("S1") || options.Runs("S3") || options.Runs("S4") || options.Runs("S7");
        await peers.StartAsync("gateway", () => Gateway.StartAsync(context, new GatewaySetup("gateway", TransparentTls: true))).ConfigureAwait(false);
        if (relays)
        {
            await peers.StartAsync("haproxy", () => Haproxy.StartAsync(context)).ConfigureAwait(false);
            await peers.StartAsync("nginx", () => Nginx.StartAsync(context)).ConfigureAwait(false);
        }

        if (connect)
        {
            await peers.StartAsync("squid", () => Squid.StartAsync(context)).ConfigureAwait(false);
            await peers.StartAsync("tinyproxy", () => Tinyproxy.StartAsync(context)).ConfigureAwait(false);
        }
    }

    private static async Task StartSocksAsync(SuiteContext context, PeerSet peers)
    {
        await peers.StartAsync("dante", () => Dante.StartAsync(context)).ConfigureAwait(false);
        if (peers["dante"] is not { } dante)
        {
            peers.Skip("gateway→dante", "Dante did not start");
            return;
        }

        string? reason = await GatewayFeatures.Socks5ReasonAsync(context).ConfigureAwait(false);
        if (reason is not null)
        {
            peers.Skip("gateway→dante", reason);
            return;
        }

        await peers.StartAsync("gateway→dante", () => Gateway.StartAsync(context, new GatewaySetup("gateway-socks", Socks5Port: dante.Socks))).ConfigureAwait(false);
    }

    private static async Task<X509Certificate2?> StartInterceptionAsync(SuiteContext context, PeerSet peers)
    {
        await peers.StartAsync("mitmproxy", () => Mitmproxy.StartAsync(context)).ConfigureAwait(false);
        string state = Path.Combine(context.Work, "gateway-intercept");
        (string? caPath, string? reason) = GatewayFeatures.InterceptionCa(context, state);
        if (caPath is null)
        {
            peers.Skip("gateway-intercept", reason!);
            return null;
        }

        string kit = InterceptKit.Write(context);
        await peers.StartAsync("gateway-intercept", () => Gateway.StartAsync(context, new GatewaySetup("gateway-intercept", InterceptKit: kit))).ConfigureAwait(false);
        X509Certificate2 ca = Origin.OriginCertificates.LoadPem(caPath);
        if (peers["gateway-intercept"] is { } gateway && await GatewayFeatures.InterceptionReasonAsync(context, gateway, ca).ConfigureAwait(false) is { } why)
        {
            StopPeer(peers, "gateway-intercept");
            peers.Skip("gateway-intercept", why);
        }

        return ca;
    }

    private static void StopPeer(PeerSet peers, string name) => SuiteContext.Stop(peers[name]?.Process);
}
