namespace Gateway.Configuration;

/// <summary>"Did you mean" for misspelt keys and values: the closest candidate by edit distance.</summary>
internal static class KeySuggestions
{
    /// <summary>
    /// The candidate nearest to <paramref name="text"/> (ignoring case), or null when none is close
    /// enough to be the likely intent: at most a third of the word may differ, and always one edit.
    /// </summary>
    public static string? Closest(string text, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(text.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        int allowed = Math.Max(1, Math.Max(text.Length, best?.Length ?? 0) / 3);
        return bestDistance <= allowed ? best : null;
    }

    // Optimal string alignment distance: Levenshtein plus adjacent transpositions ("fowrard").
    private static int Distance(string a, string b)
    {
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
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
