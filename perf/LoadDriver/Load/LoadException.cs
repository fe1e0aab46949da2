namespace LoadDriver.Load;

/// <summary>A request that failed in a way the run counts (by <see cref="Kind"/>) rather than a bug.</summary>
internal sealed class LoadException : Exception
{
    /// <summary>Creates an error of <paramref name="kind"/> (connect, proxy, tls, io, timeout, verify-…).</summary>
    public LoadException(string kind, string detail)
        : base(kind + ": " + detail) => Kind = kind;

    /// <summary>Creates an error with no kind; prefer the two-argument form.</summary>
    public LoadException()
        : this("io", "")
    {
    }

    /// <summary>Creates an error with a message; prefer the two-argument form.</summary>
    public LoadException(string message, Exception inner)
        : base(message, inner) => Kind = "io";

    /// <summary>What went wrong, as the run counts it.</summary>
    public string Kind { get; }
}
