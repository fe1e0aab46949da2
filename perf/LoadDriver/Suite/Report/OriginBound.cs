namespace LoadDriver.Suite.Report;

/// <summary>
/// Whether a scenario variant's rate measures the origin or the driver rather than the subjects:
/// every subject within <see cref="Margin"/> of <c>direct</c>. DESIGN.md ("Performance budgets")
/// judges such a scenario by CPU per request only, since no subject can beat the ceiling they share.
/// </summary>
internal static class OriginBound
{
    /// <summary>A subject at or above (1 − Margin) × direct is at the ceiling.</summary>
    public const double Margin = 0.10;

    /// <summary>True when the variant has a direct row and every other subject's median rate is within <see cref="Margin"/> of it.</summary>
    public static bool Is(IReadOnlyList<Aggregate> all, string scenario, string variant)
    {
        Aggregate? direct = null;
        int subjects = 0;
        foreach (Aggregate a in all)
        {
            if (a.Scenario == scenario && a.Variant == variant && a.Subject == Scenarios.Subject.Direct)
            {
                direct = a;
            }
        }

        if (direct is null || direct.Median <= 0 || direct.Unit == "KiB/tunnel")
        {
            return false;
        }

        foreach (Aggregate a in all)
        {
            if (a.Scenario != scenario || a.Variant != variant || a == direct)
            {
                continue;
            }

            subjects++;
            if (a.Median < (1 - Margin) * direct.Median)
            {
                return false;
            }
        }

        return subjects > 0;
    }

    /// <summary>The verdict a rate budget gets in an origin-bound variant.</summary>
    public static string Verdict(Aggregate direct) =>
        $"origin-bound (every subject within {Margin * 100:F0} % of direct's {Format.Number(direct.Median)} {direct.Unit}): judged by CPU per request";
}
