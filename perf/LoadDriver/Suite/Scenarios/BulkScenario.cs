using LoadDriver.Load;

namespace LoadDriver.Suite.Scenarios;

/// <summary>S1: bulk download through a CONNECT tunnel (or a TCP relay for HAProxy and nginx), 1 and 8 streams.</summary>
internal static class BulkScenario
{
    public const string Id = "S1";

    public static async Task RunAsync(Recorder recorder, PeerSet peers)
    {
        SuiteContext context = recorder.Context;
        int origin = context.OriginBulk;
        var subjects = new List<Subject> { ScenarioBase.Direct(origin) };
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "gateway", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "haproxy", p => ScenarioBase.Relay(p, p.BulkRelay));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "nginx", p => ScenarioBase.Relay(p, p.BulkRelay));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "squid", p => ScenarioBase.Connect(p, origin));
        ScenarioBase.AddIfRunning(subjects, recorder, Id, peers, "tinyproxy", p => ScenarioBase.Connect(p, origin));
        recorder.Results.Note(Id, "Download only: the origin writes zeros from a 256 KiB buffer, the driver reads 256 KiB at a time and counts bytes in the window. HAProxy and nginx are TCP relays (no CONNECT); the others are CONNECT proxies.");

        foreach (int streams in (int[])[1, 8])
        {
            string variant = streams == 1 ? "1 stream" : $"{streams} streams";
            SuiteContext.Say($"{Id} bulk, {variant}");
            await ScenarioBase.InterleaveAsync(context.Options.Repetitions, subjects, (subject, repetition) =>
                recorder.BulkAsync(Id, variant, subject, repetition, () =>
                    BulkRunner.RunAsync(subject.Route, ScenarioBase.OriginIp, streams, recorder.Warmup, recorder.Window))).ConfigureAwait(false);
        }
    }
}
