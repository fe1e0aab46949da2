using LoadDriver.Load;
using LoadDriver.Suite.Peers;

namespace LoadDriver.Suite.Scenarios;

/// <summary>Helpers every scenario uses: routes through each kind of subject, and repetitions with subjects interleaved.</summary>
internal static class ScenarioBase
{
    /// <summary>The origin as the IP literal every CONNECT names (no proxy resolves a name in S1–S4).</summary>
    public const string OriginIp = "127.0.0.1";

    /// <summary>Direct to an origin port.</summary>
    public static Subject Direct(int port, System.Security.Cryptography.X509Certificates.X509Certificate2? tls = null) =>
        new(Subject.Direct, new Route(RouteKind.Direct, Ports.Loopback(port), port, tls), null);

    /// <summary>CONNECT through a peer's proxy port to an origin port.</summary>
    public static Subject Connect(Peer peer, int originPort, System.Security.Cryptography.X509Certificates.X509Certificate2? tls = null, string? name = null) =>
        new(name ?? peer.Name, new Route(RouteKind.HttpConnect, Ports.Loopback(peer.Connect), originPort, tls), peer);

    /// <summary>A TCP connection to a peer's relay or SNI port.</summary>
    public static Subject Relay(Peer peer, int relayPort, System.Security.Cryptography.X509Certificates.X509Certificate2? tls = null) =>
        new(peer.Name, new Route(RouteKind.Direct, Ports.Loopback(relayPort), relayPort, tls), peer);

    /// <summary>Adds the subject when its peer runs, else records why not.</summary>
    public static void AddIfRunning(List<Subject> subjects, Recorder recorder, string scenario, PeerSet peers, string name, Func<Peer, Subject> make)
    {
        if (peers[name] is { } peer)
        {
            subjects.Add(make(peer));
        }
        else
        {
            recorder.NotRun(scenario, name, peers.Why(name));
        }
    }

    /// <summary>Runs <paramref name="measure"/> for every repetition, every subject in turn within a repetition.</summary>
    public static async Task InterleaveAsync(int repetitions, IReadOnlyList<Subject> subjects, Func<Subject, int, Task> measure)
    {
        for (int repetition = 1; repetition <= repetitions; repetition++)
        {
            foreach (Subject subject in subjects)
            {
                await measure(subject, repetition).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The closed-loop maximum of every subject (<paramref name="workers"/> clients, the spec
    /// <paramref name="spec"/> makes), recorded under <paramref name="variant"/>; returns each subject's median rate.
    /// </summary>
    public static async Task<Dictionary<string, double>> MaximaAsync(Recorder recorder, string scenario, string variant, IReadOnlyList<Subject> subjects, Func<Subject, LoadSpec> spec, int workers)
    {
        var rates = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        await InterleaveAsync(recorder.Context.Options.Repetitions, subjects, async (subject, repetition) =>
        {
            Results.Measurement m = await recorder.RequestsAsync(scenario, variant, subject, repetition, () =>
                LoadRunner.ClosedLoopAsync(spec(subject), workers, recorder.Warmup, recorder.Window)).ConfigureAwait(false);
            (rates.TryGetValue(subject.Name, out List<double>? list) ? list : rates[subject.Name] = []).Add(m.Value);
        }).ConfigureAwait(false);
        return rates.ToDictionary(kv => kv.Key, kv => Median(kv.Value), StringComparer.Ordinal);
    }

    /// <summary>Median of <paramref name="values"/> (0 when empty).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return 0;
        }

        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
