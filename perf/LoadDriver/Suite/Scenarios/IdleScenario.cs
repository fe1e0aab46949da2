using System.Globalization;
using LoadDriver.Load;
using LoadDriver.Suite.Results;

namespace LoadDriver.Suite.Scenarios;

/// <summary>
/// S7: memory per idle tunnel. Each subject gets N tunnels, one verified GET through each, then
/// silence; after a settle time its resident memory (whole process tree) and the kernel memory
/// of its sockets are read, then every tunnel is closed and resident memory read again.
/// </summary>
internal static class IdleScenario
{
    public const string Id = "S7";
    public const int OpenParallel = 64;
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(Recorder recorder, PeerSet peers)
    {
        SuiteContext context = recorder.Context;
        int origin = context.OriginHttp;
        var subjects = new List<Subject>();
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "gateway", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "haproxy", p => ScenarioBase.Relay(p, p.HttpRelay));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "nginx", p => ScenarioBase.Relay(p, p.HttpRelay));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "squid", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "tinyproxy", p => ScenarioBase.Connect(p, origin));
        recorder.Results.Note(Id, string.Create(CultureInfo.InvariantCulture, $"Per tunnel: (RSS with N idle tunnels − RSS before) / N, whole process tree (VmRSS); kernel: skmem (r+f+w+o+bl) of the subject's sockets plus one TCP slab object ({SocketMemory.TcpSlabObjectSize()} B) per socket, / N. Returned: share of the growth gone {Settle.TotalSeconds:F0} s after every tunnel closed (negative: resident memory kept growing after the close; a garbage-collected or pooling process hands memory back later, if at all). Memory is not noise-bound like rates: {Repetitions(context, 1000)} repetition(s) at 1k, 1 at 10k."));

        foreach (int wanted in context.Options.IdleCounts)
        {
            int count = wanted;
            string variant = string.Create(CultureInfo.InvariantCulture, $"{count} idle tunnels");
            if (count > ProcessTree.MaxTunnels())
            {
                // Two descriptors per tunnel in one proxy process: a hard limit below that cannot hold them.
                count = ProcessTree.MaxTunnels() / 1000 * 1000;
                recorder.NotRun(Id, variant, string.Create(CultureInfo.InvariantCulture, $"a process may open {ProcessTree.DescriptorLimit()} descriptors here (ulimit -n, hard limit), fewer than the {(2 * wanted) + 200} {wanted} tunnels need; measured at {count} instead"));
                variant = string.Create(CultureInfo.InvariantCulture, $"{count} idle tunnels (the most this machine's descriptor limit allows)");
            }

            SuiteContext.Say($"{Id} {variant}");
            await ScenarioBase.InterleaveAsync(Repetitions(context, count), subjects, (subject, repetition) => MeasureAsync(recorder, variant, subject, repetition, count)).ConfigureAwait(false);
        }
    }

    private static int Repetitions(SuiteContext context, int count) => count > 1000 || context.Options.Quick ? 1 : 3;

    private static async Task MeasureAsync(Recorder recorder, string variant, Subject subject, int repetition, int count)
    {
        int pid = subject.Peer!.Process.Pid;
        GC.Collect();
        await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
        long before = ProcessTree.ResidentBytes(pid);
        var spec = new LoadSpec(subject.Route, HostSet.Single(ScenarioBase.OriginIp), TunnelPerRequest: false, BodySize: 128, ExpectHeader: null, RequestTimeout: TimeSpan.FromSeconds(10));
        IdleTunnels tunnels = await IdleTunnels.OpenAsync(spec, count, OpenParallel, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        int opened = tunnels.Count;
        long idle;
        (int Sockets, long Bytes) kernel;
        try
        {
            await Task.Delay(Settle).ConfigureAwait(false);
            idle = ProcessTree.ResidentBytes(pid);
            kernel = SocketMemory.Of(ProcessTree.Members(pid));
        }
        finally
        {
            await tunnels.DisposeAsync().ConfigureAwait(false);
        }

        await Task.Delay(Settle).ConfigureAwait(false);
        long after = ProcessTree.ResidentBytes(pid);
        double growth = idle - before;
        recorder.Add(new Measurement
        {
            Scenario = Id,
            Variant = variant,
            Subject = subject.Name,
            Repetition = repetition,
            Unit = "KiB/tunnel",
            Value = opened == 0 ? 0 : (growth + kernel.Bytes) / opened / 1024,
            Ok = opened,
            Errors = tunnels.Failures.ErrorCount,
            ErrorKinds = tunnels.Failures.Errors.Count == 0 ? null : tunnels.Failures.Errors,
            FirstError = tunnels.Failures.FirstError,
            Extra = new Dictionary<string, double>
            {
                ["rssBeforeMiB"] = before / 1048576.0,
                ["rssIdleMiB"] = idle / 1048576.0,
                ["rssAfterCloseMiB"] = after / 1048576.0,
                ["rssKiBPerTunnel"] = opened == 0 ? 0 : growth / opened / 1024,
                ["kernelKiBPerTunnel"] = opened == 0 ? 0 : kernel.Bytes / 1024.0 / opened,
                ["sockets"] = kernel.Sockets,
                ["returnedPercent"] = growth <= 0 ? 100 : 100.0 * (idle - after) / growth,
            },
        });
    }
}
