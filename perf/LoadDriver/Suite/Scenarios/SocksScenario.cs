using System.Net;
using LoadDriver.Load;

namespace LoadDriver.Suite.Scenarios;

/// <summary>S2: a new tunnel per small request through Dante alone (SOCKS5 from the driver) and through the gateway dialling via Dante.</summary>
internal static class SocksScenario
{
    public const string Id = "S2";
    public const int Concurrency = 16;

    public static async Task RunAsync(Recorder recorder, PeerSet peers)
    {
        SuiteContext context = recorder.Context;
        int origin = context.OriginHttp;
        var subjects = new List<Subject> { ScenarioBase.Direct(origin) };
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "dante", p =>
            new Subject(p.Name, new Route(RouteKind.Socks5, new IPEndPoint(IPAddress.Loopback, p.Socks), origin), p));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "gateway", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "gateway→dante", p => ScenarioBase.Connect(p, origin, name: "gateway→dante"));
        recorder.Results.Note(Id, $"Closed loop, {Concurrency} clients, a new tunnel per GET of 128 bytes. CPU of gateway→dante is the gateway's alone (Dante's share is in the dante row); the gateway row is the same gateway build dialling the origin itself, the baseline of DESIGN.md's SOCKS5 budget. The chain shares the proxy core with Dante, so its rate against Dante alone measures Dante twice and is not judged.");
        SuiteContext.Say($"{Id} SOCKS5");
        await ScenarioBase.InterleaveAsync(context.Options.Repetitions, subjects, (subject, repetition) =>
            recorder.RequestsAsync(Id, "tunnel per request", subject, repetition, () =>
                LoadRunner.ClosedLoopAsync(Spec(subject), Concurrency, recorder.Warmup, recorder.Window))).ConfigureAwait(false);
    }

    private static LoadSpec Spec(Subject subject) =>
        new(subject.Route, HostSet.Single(ScenarioBase.OriginIp), TunnelPerRequest: true, BodySize: 128, ExpectHeader: null, RequestTimeout: TimeSpan.FromSeconds(5));
}
