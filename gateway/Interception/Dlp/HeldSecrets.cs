namespace Gateway.Interception.Dlp;

/// <summary>
/// The credential values the gateway holds, as the broker fetched them (env and file reads, command outputs,
/// minted tokens, each part of an AWS key pair), compiled into the <see cref="DlpNeedles"/> every intercepted
/// request is scanned with. A value already known costs one hash probe and allocates nothing; a new one
/// rebuilds the needles once (rare: a rotation or a refresh). Per source the last <see cref="PerSource"/>
/// values are kept (a rotated-out token may still be valid for a while), and at most
/// <see cref="MaxSources"/> sources, the least recently changed dropped first: memory stays bounded
/// across kit reloads that replace sources.
/// </summary>
internal sealed class HeldSecrets
{
    /// <summary>Values kept per source.</summary>
    public const int PerSource = 2;

    /// <summary>Sources kept.</summary>
    public const int MaxSources = 128;

    private readonly Lock _lock = new();
    private readonly Dictionary<object, (long Stamp, string[] Values)> _bySource = new(ReferenceEqualityComparer.Instance);
    private volatile Snapshot _current = new(new HashSet<string>(StringComparer.Ordinal), DlpNeedles.ShapesOnly);
    private long _stamp;

    /// <summary>The needles for every held value and every secret shape.</summary>
    public DlpNeedles Needles => _current.Needles;

    /// <summary>
    /// Remembers that <paramref name="source"/> (any object that identifies it, compared by reference) now has
    /// <paramref name="value"/>. Values too short to search for (<see cref="DlpEncodings.MinValueLength"/>) are ignored.
    /// </summary>
    public void Remember(object source, string value)
    {
        if (value.Length < DlpEncodings.MinValueLength || _current.Values.Contains(value))
        {
            return;
        }

        lock (_lock)
        {
            if (_current.Values.Contains(value))
            {
                return;
            }

            string[] values = _bySource.TryGetValue(source, out var entry) ? entry.Values : [];
            string[] next = new string[Math.Min(values.Length + 1, PerSource)];
            next[0] = value;
            Array.Copy(values, 0, next, 1, next.Length - 1);
            _bySource[source] = (++_stamp, next);
            if (_bySource.Count > MaxSources)
            {
                DropOldest();
            }

            _current = Build();
        }
    }

    private void DropOldest()
    {
        object? oldest = null;
        long stamp = long.MaxValue;
        foreach (KeyValuePair<object, (long Stamp, string[] Values)> pair in _bySource)
        {
            if (pair.Value.Stamp < stamp)
            {
                stamp = pair.Value.Stamp;
                oldest = pair.Key;
            }
        }

        _bySource.Remove(oldest!);
    }

    private Snapshot Build()
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        var forms = new List<string>();
        foreach ((long _, string[] held) in _bySource.Values)
        {
            foreach (string value in held)
            {
                if (values.Add(value))
                {
                    DlpEncodings.AddForms(value, forms);
                }
            }
        }

        return new Snapshot(values, DlpNeedles.Build(forms));
    }

    private sealed record Snapshot(HashSet<string> Values, DlpNeedles Needles);
}
