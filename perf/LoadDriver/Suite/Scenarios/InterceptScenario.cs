using System.Security.Cryptography.X509Certificates;
using LoadDriver.Load;
using LoadDriver.Suite.Peers;

namespace LoadDriver.Suite.Scenarios;

/// <summary>
/// S6: HTTPS intercepted with a header injected, gateway against mitmproxy with an add-header
/// addon: CONNECT, TLS to the proxy's minted leaf, GET, and the origin must have seen the
/// injected Authorization (it echoes it; a response without it is an error). Warm: 100 host
/// names cycled (leaf cache hits); cold: a host never seen before on every request (a mint each).
/// </summary>
internal static class InterceptScenario
{
    public const string Id = "S6";
    public const int Concurrency = 8;

    public static async Task RunAsync(Recorder recorder, PeerSet peers, X509Certificate2? gatewayCa)
    {
        SuiteContext context = recorder.Context;
        int origin = context.OriginTls;
        var subjects = new List<(Subject Subject, string? Expect)> { (ScenarioBase.Direct(origin, context.OriginCa), null) };
        if (peers["gateway-intercept"] is { } gateway && gatewayCa is not null)
        {
            subjects.Add((ScenarioBase.Connect(gateway, origin, gatewayCa, "gateway"), LoadDriver.Origin.OriginServer.SeenAuthorizationHeader(Mitmproxy.InjectedValue)));
        }
        else
        {
            recorder.NotRun(Id, "gateway", peers.Why("gateway-intercept"));
        }

        if (peers["mitmproxy"] is { } mitm && File.Exists(Mitmproxy.CaPath(context)))
        {
            X509Certificate2 mitmCa = LoadDriver.Origin.OriginCertificates.LoadPem(Mitmproxy.CaPath(context));
            subjects.Add((ScenarioBase.Connect(mitm, origin, mitmCa), LoadDriver.Origin.OriginServer.SeenAuthorizationHeader(Mitmproxy.InjectedValue)));
        }
        else
        {
            recorder.NotRun(Id, "mitmproxy", peers.Why("mitmproxy"));
        }

        recorder.Results.Note(Id, $"Closed loop, {Concurrency} clients, a new CONNECT + TLS handshake + GET /128 per request; proxies must inject Authorization: {Mitmproxy.InjectedValue} (verified at the origin). Direct = TLS straight to the origin, no injection.");
        var list = subjects.Select(s => s.Subject).ToList();
        foreach (bool cold in (bool[])[false, true])
        {
            string variant = cold ? "cold (unique hosts)" : $"warm ({Gateway.WarmHosts} hosts)";
            SuiteContext.Say($"{Id} interception, {variant}");
            await ScenarioBase.InterleaveAsync(context.Options.Repetitions, list, (subject, repetition) =>
            {
                string? expect = subjects.First(s => ReferenceEquals(s.Subject, subject)).Expect;
                HostSet hosts = cold
                    ? HostSet.Unique(Gateway.ColdPrefix, "example.test")
                    : HostSet.Warm(Gateway.WarmHosts, "example.test");
                var spec = new LoadSpec(subject.Route, hosts, TunnelPerRequest: true, BodySize: 128, expect, TimeSpan.FromSeconds(10));
                return recorder.RequestsAsync(Id, variant, subject, repetition, () =>
                    LoadRunner.ClosedLoopAsync(spec, Concurrency, recorder.Warmup, recorder.Window));
            }).ConfigureAwait(false);
        }
    }
}
