namespace Gateway.Listeners.Transport;

/// <summary>
/// Connection ids in Kestrel's shape (13 base-32 characters of a counter seeded from the clock),
/// so log lines and trace identifiers read alike on both transports. Made only when asked for.
/// </summary>
internal static class ConnectionIds
{
    private static readonly char[] s_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV".ToCharArray();
    private static long s_last = DateTime.UtcNow.Ticks;

    /// <summary>The next id.</summary>
    public static string Next() => string.Create(13, Interlocked.Increment(ref s_last), static (span, id) =>
    {
        for (int i = 12; i >= 0; i--)
        {
            span[i] = s_alphabet[(int)(id & 31)];
            id >>= 5;
        }
    });
}
