namespace Gateway.Relay;

/// <summary>
/// Empty kernel pipes shared by every spliced tunnel. A tunnel holds a pipe only while bytes
/// move and hands it back before it waits for more, so descriptors and pipe memory scale with
/// the tunnels that are busy right now, not with the open ones: 10,000 idle tunnels hold none
/// (a pipe per tunnel would double the descriptors a tunnel costs, and exhausted descriptors
/// make Kestrel's accept fail). The pool keeps a few so a busy tunnel does not pay pipe2 and two
/// closes per burst.
/// </summary>
internal static class KernelPipePool
{
    private static readonly Lock s_gate = new();
    private static readonly KernelPipe[] s_idle = new KernelPipe[Math.Clamp(Environment.ProcessorCount * 4, 8, 64)];
    private static int s_count;

    /// <summary>An empty pipe from the pool, or a new one; false when none can be created (the caller copies instead).</summary>
    public static bool TryRent(out KernelPipe pipe)
    {
        lock (s_gate)
        {
            if (s_count > 0)
            {
                pipe = s_idle[--s_count];
                s_idle[s_count] = default;
                return true;
            }
        }

        return Splice.TryCreatePipe(out pipe);
    }

    /// <summary>Takes back a pipe the caller emptied; a pipe that may still hold bytes must be closed instead, never returned.</summary>
    public static void Return(KernelPipe pipe)
    {
        lock (s_gate)
        {
            if (s_count < s_idle.Length)
            {
                s_idle[s_count++] = pipe;
                return;
            }
        }

        pipe.Close();
    }
}
