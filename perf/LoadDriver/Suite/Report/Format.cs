using System.Globalization;

namespace LoadDriver.Suite.Report;

/// <summary>Number formatting for the report: three significant figures, invariant culture.</summary>
internal static class Format
{
    public static string Number(double value) => value switch
    {
        0 => "0",
        >= 1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };

    public static string Optional(double? value) => value is { } v ? Number(v) : "—";

    public static string Ratio(double numerator, double denominator) =>
        denominator == 0 ? "—" : (numerator / denominator).ToString("F2", CultureInfo.InvariantCulture) + "×";

    /// <summary>Microseconds as µs below 10 ms, else ms.</summary>
    public static string Latency(double? microseconds) => microseconds switch
    {
        null => "—",
        >= 10_000 => (microseconds.Value / 1000).ToString("F1", CultureInfo.InvariantCulture) + " ms",
        _ => microseconds.Value.ToString("F0", CultureInfo.InvariantCulture) + " µs",
    };
}
