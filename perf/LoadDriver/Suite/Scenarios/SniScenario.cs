using LoadDriver.Load;

namespace LoadDriver.Suite.Scenarios;

/// <summary>S5: transparent TLS routed by SNI (the gateway's transparent listener, nginx <c>ssl_preread</c>, HAProxy <c>req.ssl_sni</c>): a new TLS connection per request, end-to-end TLS to the origin.</summary>
internal static class SniScenario
{
    public const string Id = "S5";
    public const int Concurrency = 16;

    public static async Task RunAsync(Recorder recorder, PeerSet peers)
    {
        SuiteContext context = recorder.Context;
        var ca = context.OriginCa!;
        var subjects = new List<Subject> { ScenarioBase.Direct(context.OriginTls, ca) };
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "gateway", p => ScenarioBase.Relay(p, p.Sni, ca));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "nginx", p => ScenarioBase.Relay(p, p.Sni, ca));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "haproxy", p => ScenarioBase.Relay(p, p.Sni, ca));
        recorder.Results.Note(Id, $"Closed loop, {Concurrency} clients: TCP connect, TLS 1.3 handshake with SNI origin.example.test through the router, GET /128, verify, close. One routing rule each (*.example.test). The gateway dials the SNI name on transparent.dialTlsPort (no nftables redirect on loopback).");
        SuiteContext.Say($"{Id} SNI routing");
        await ScenarioBase.InterleaveAsync(context.Options.Repetitions, subjects, (subject, repetition) =>
            recorder.RequestsAsync(Id, "TLS connection per request", subject, repetition, () =>
                LoadRunner.ClosedLoopAsync(
                    new LoadSpec(subject.Route, HostSet.Single("origin.example.test"), TunnelPerRequest: true, BodySize: 128, ExpectHeader: null, RequestTimeout: TimeSpan.FromSeconds(5)),
                    Concurrency,
                    recorder.Warmup,
                    recorder.Window))).ConfigureAwait(false);
    }
}
