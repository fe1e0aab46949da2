using LoadDriver.Suite.Peers;

namespace LoadDriver.Suite.Scenarios;

/// <summary>The processes started for a suite run, by name, and why any of them is missing.</summary>
internal sealed class PeerSet
{
    private readonly Dictionary<string, Peer> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _missing = new(StringComparer.Ordinal);

    /// <summary>Starts a peer; a failure is remembered as the reason its rows are not run.</summary>
    public async Task StartAsync(string name, Func<Task<Peer>> start)
    {
        try
        {
            _running[name] = await start().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            _missing[name] = "did not start: " + e.Message;
            SuiteContext.Say($"{name} {_missing[name]}");
        }
    }

    /// <summary>Records that <paramref name="name"/> is not to be measured (not started, or stopped after a failed probe).</summary>
    public void Skip(string name, string reason)
    {
        _running.Remove(name);
        _missing[name] = reason;
    }

    public Peer? this[string name] => _running.GetValueOrDefault(name);

    public string Why(string name) => _missing.GetValueOrDefault(name) ?? "not started";

    public IEnumerable<Peer> All => _running.Values;
}
