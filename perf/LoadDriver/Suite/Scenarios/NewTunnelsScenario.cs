using System.Globalization;
using LoadDriver.Load;

namespace LoadDriver.Suite.Scenarios;

/// <summary>
/// S3: new CONNECT tunnels per second, one 128-byte GET each: the maximum (closed loop), then
/// latency in an open loop at 70 % of the gateway's own maximum for every subject that can
/// sustain that rate. S8 reuses it: the gateway with 100,000 rules against the gateway with one.
/// </summary>
internal static class NewTunnelsScenario
{
    public const string Id = "S3";
    public const string RulesId = "S8";
    public const int Concurrency = 32;
    public const int OpenLoopWorkers = 256;

    public static async Task RunAsync(Recorder recorder, PeerSet peers)
    {
        SuiteContext context = recorder.Context;
        int origin = context.OriginHttp;
        var subjects = new List<Subject> { ScenarioBase.Direct(origin) };
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "gateway", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "squid", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "tinyproxy", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "haproxy", p => ScenarioBase.Relay(p, p.HttpRelay));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "nginx", p => ScenarioBase.Relay(p, p.HttpRelay));
        recorder.Results.Note(Id, $"Closed loop: {Concurrency} clients, each CONNECT → GET /128 → verify → close. HAProxy and nginx are TCP relays (no CONNECT): a new relayed connection per GET, the floor a CONNECT proxy's CPU per tunnel is held to. Open loop: fixed arrival rate, {OpenLoopWorkers} workers, latency from the intended send time; run only for subjects whose closed-loop median reaches the rate.");

        SuiteContext.Say($"{Id} new tunnels/s (closed loop)");
        Dictionary<string, double> maxima = await ScenarioBase.MaximaAsync(recorder, Id, "max (closed loop)", subjects, s => Spec(s, ScenarioBase.OriginIp), Concurrency).ConfigureAwait(false);
        if (!maxima.TryGetValue("gateway", out double gatewayMax))
        {
            recorder.NotRun(Id, "open loop", "the gateway did not run, so there is no 70 % rate");
            return;
        }

        double rate = Math.Round(0.7 * gatewayMax);
        string variant = string.Create(CultureInfo.InvariantCulture, $"open loop at {rate:F0}/s (70 % of gateway max)");
        var open = new List<Subject>();
        foreach (Subject subject in subjects)
        {
            if (maxima[subject.Name] >= rate)
            {
                open.Add(subject);
            }
            else
            {
                recorder.NotRun(Id, subject.Name + " (open loop)", string.Create(CultureInfo.InvariantCulture, $"its maximum ({maxima[subject.Name]:F0}/s) is below the rate"));
            }
        }

        SuiteContext.Say($"{Id} {variant}");
        await ScenarioBase.InterleaveAsync(context.Options.Repetitions, open, (subject, repetition) =>
            recorder.RequestsAsync(Id, variant, subject, repetition, () =>
                LoadRunner.OpenLoopAsync(Spec(subject, ScenarioBase.OriginIp), rate, OpenLoopWorkers, recorder.Warmup, recorder.Window),
                new Dictionary<string, double> { ["rate"] = rate })).ConfigureAwait(false);
    }

    /// <summary>S8: the same closed loop with a host name, against a gateway with one rule and one with 100,000 more.</summary>
    public static async Task RunRulesAsync(Recorder recorder, PeerSet peers)
    {
        SuiteContext context = recorder.Context;
        var subjects = new List<Subject>();
        ScenarioBase.AddIfRunning(subjects, recorder, RulesId, peers, "gateway", p => ScenarioBase.Connect(p, context.OriginHttp, name: "gateway (1 rule)"));
        ScenarioBase.AddIfRunning(subjects, recorder, RulesId, peers, "gateway-100k", p => ScenarioBase.Connect(p, context.OriginHttp, name: "gateway (100,001 rules)"));
        recorder.Results.Note(RulesId, "As S3's closed loop, but CONNECT names origin.example.test (resolved by resolve.hosts), so the policy trie is walked for a name. The 100,000 extra rules are exact, wildcard, ported and deny patterns over synthetic names that never match it.");
        SuiteContext.Say($"{RulesId} decision with 100,000 rules");
        await ScenarioBase.InterleaveAsync(context.Options.Repetitions, subjects, (subject, repetition) =>
            recorder.RequestsAsync(RulesId, "new tunnels/s", subject, repetition, () =>
                LoadRunner.ClosedLoopAsync(Spec(subject, "origin.example.test"), Concurrency, recorder.Warmup, recorder.Window))).ConfigureAwait(false);
    }

    private static LoadSpec Spec(Subject subject, string host) =>
        new(subject.Route, HostSet.Single(host), TunnelPerRequest: true, BodySize: 128, ExpectHeader: null, RequestTimeout: TimeSpan.FromSeconds(5));
}
