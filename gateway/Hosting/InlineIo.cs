namespace Gateway.Hosting;

/// <summary>
/// Runs socket completions and Kestrel's pipe continuations on the socket engine's thread instead
/// of handing each one to the thread pool. Every new tunnel or SNI-routed connection is a chain of
/// short steps (accept, read the head, decide, dial, relay a few messages, close); dispatched, each
/// step is a wake-up and a context switch on the proxy's core. Inline, perf/conn-cpu.sh measured
/// 13 → 6 context switches per S3 tunnel and 41 → 24 per S5 connection, and about a quarter less
/// CPU per connection (perf/results/connection-cpu.md). Safe here because nothing on these paths blocks a
/// thread: parsers, the decision and the relay are non-blocking, the audit queue waits
/// asynchronously, and DNS runs off the engine thread.
/// </summary>
/// <remarks>
/// The runtime reads <see cref="Variable"/> once, when the first socket is created, so
/// <see cref="EnableUnlessSet"/> runs before the daemon opens any. An operator who sets it to
/// anything but <c>1</c> (<c>0</c>, say) turns both halves off (dispatch to the pool, as .NET does by default).
/// </remarks>
internal static class InlineIo
{
    /// <summary>The runtime's switch for inline socket completions (System.Net.Sockets, Unix).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// True when the runtime inlines socket completions (it checks for exactly "1"): Kestrel then
    /// inlines its own continuations too, so the two halves are always on or off together, also in a
    /// host built without <c>gateway run</c>.
    /// </summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Turns inline socket completions on for this process unless the environment already says.</summary>
    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
