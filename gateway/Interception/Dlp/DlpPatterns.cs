namespace Gateway.Interception.Dlp;

/// <summary>The names of <see cref="DlpPattern"/> values, built once: audit reasons and metric labels allocate nothing.</summary>
internal static class DlpPatterns
{
    private static readonly string[] s_names =
    [
        "none", "credential", "placeholder", "aws-access-key-id", "github-token", "gitlab-token", "slack-token",
        "stripe-key", "private-key", "jwt", "google-service-account", "decode-limit", "undecodable",
    ];

    private static readonly string[] s_reasons = Prefixed("dlp:");

    // Metric label values are letters and underscores only (no value may look like a host name).
    private static readonly string[] s_labels = Underscored();

    /// <summary>Every pattern that is a hit, in label order (for the metric's children): "aws_access_key_id", "jwt", ….</summary>
    public static ReadOnlySpan<string> Labels => s_labels.AsSpan(1);

    /// <summary>The label of <paramref name="pattern"/>: "aws-access-key-id", "jwt", ….</summary>
    public static string Name(DlpPattern pattern) => s_names[(int)pattern];

    /// <summary>The audit reason of a hit on <paramref name="pattern"/>: "dlp:" and its name.</summary>
    public static string Reason(DlpPattern pattern) => s_reasons[(int)pattern];

    private static string[] Prefixed(string prefix)
    {
        var reasons = new string[s_names.Length];
        for (int i = 0; i < reasons.Length; i++)
        {
            reasons[i] = prefix + s_names[i];
        }

        return reasons;
    }

    private static string[] Underscored()
    {
        var labels = new string[s_names.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = s_names[i].Replace('-', '_');
        }

        return labels;
    }
}
