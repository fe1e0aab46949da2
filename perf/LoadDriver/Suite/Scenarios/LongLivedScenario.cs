using System.Globalization;
using LoadDriver.Load;

namespace LoadDriver.Suite.Scenarios;

/// <summary>
/// S4: small requests inside 64 long-lived tunnels: the maximum (closed loop), then latency in
/// an open loop at half the slowest subject's maximum, so every subject carries the same load
/// and the added latency against direct compares like with like.
/// </summary>
internal static class LongLivedScenario
{
    public const string Id = "S4";
    public const int Tunnels = 64;

    public static async Task RunAsync(Recorder recorder, PeerSet peers)
    {
        SuiteContext context = recorder.Context;
        int origin = context.OriginHttp;
        var subjects = new List<Subject> { ScenarioBase.Direct(origin) };
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "gateway", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "haproxy", p => ScenarioBase.Relay(p, p.HttpRelay));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "nginx", p => ScenarioBase.Relay(p, p.HttpRelay));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "squid", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "tinyproxy", p => ScenarioBase.Connect(p, origin));
        recorder.Results.Note(Id, $"{Tunnels} tunnels opened before the clock starts; GET /128 on each, HTTP/1.1 keep-alive inside the tunnel. Direct = {Tunnels} keep-alive connections to the origin.");

        SuiteContext.Say($"{Id} requests in {Tunnels} tunnels (closed loop)");
        Dictionary<string, double> maxima = await ScenarioBase.MaximaAsync(recorder, Id, "max (closed loop)", subjects, Spec, Tunnels).ConfigureAwait(false);
        double slowest = maxima.Count == 0 ? 0 : maxima.Values.Min();
        double rate = Math.Max(100, Math.Round(0.5 * slowest));
        string variant = string.Create(CultureInfo.InvariantCulture, $"open loop at {rate:F0}/s (half the slowest max)");
        SuiteContext.Say($"{Id} {variant}");
        await ScenarioBase.InterleaveAsync(context.Options.Repetitions, subjects, (subject, repetition) =>
            recorder.RequestsAsync(Id, variant, subject, repetition, () =>
                LoadRunner.OpenLoopAsync(Spec(subject), rate, Tunnels, recorder.Warmup, recorder.Window),
                new Dictionary<string, double> { ["rate"] = rate })).ConfigureAwait(false);
    }

    private static LoadSpec Spec(Subject subject) =>
        new(subject.Route, HostSet.Single(ScenarioBase.OriginIp), TunnelPerRequest: false, BodySize: 128, ExpectHeader: null, RequestTimeout: TimeSpan.FromSeconds(5));
}
