namespace PolicyCompiler.Yaml;

/// <summary>
/// "Did you mean": the known key (or value) an unknown one was most likely meant to be
/// ("netwrok" → "network"). The one helper behind every suggestion the gateway configuration, kits
/// and the CLI make, so they all suggest alike.
/// </summary>
public static class KeySuggestion
{
    /// <summary>
    /// What to say about the key of <paramref name="entry"/> where only <paramref name="known"/> keys
    /// may be: the likely meant key ("did you mean"), else where it belongs (<paramref name="hint"/>),
    /// else the valid keys. The one wording for configuration and kits; the caller puts the entry's
    /// origin and key path in front.
    /// </summary>
    /// <param name="entry">The entry whose key is unknown.</param>
    /// <param name="known">The keys the mapping may have.</param>
    /// <param name="hint">Where a key that is no typo belongs, if anywhere (<see cref="SectionHints"/>).</param>
    public static string UnknownKey(ConfigEntry entry, IReadOnlyList<string> known, Func<string, string?>? hint = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(known);
        string? closest = Nearest(entry.Key, known);
        if (closest is null)
        {
            return hint?.Invoke(entry.Key) is { } where
                ? $"unknown key; {where}"
                : $"unknown key; valid keys are {string.Join(", ", known)}";
        }

        // An environment key is spelt as its variable: suggest the variable to set instead.
        return entry.KeyOrigin.Variable is { } variable
            ? $"unknown key; did you mean {variable[..^entry.Key.Length]}{closest.ToUpperInvariant()}?"
            : $"unknown key; did you mean \"{closest}\"?";
    }

    /// <summary>The known key nearest to <paramref name="unknown"/>, or null when none is a likely typo of it.</summary>
    public static string? Nearest(string unknown, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(unknown);
        ArgumentNullException.ThrowIfNull(known);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int distance = Distance(unknown.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Past a third of the longer word the "suggestion" is a different word, which misleads more
        // than it helps; one edit is always close enough.
        return bestDistance <= Math.Max(1, Math.Max(unknown.Length, best?.Length ?? 0) / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance: Levenshtein plus adjacent transpositions, the commonest typo.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                }

                d[i, j] = value;
            }
        }

        return d[a.Length, b.Length];
    }
}
