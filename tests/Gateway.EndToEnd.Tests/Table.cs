using System.Text.RegularExpressions;

namespace Gateway.EndToEnd.Tests;

/// <summary>Reads the `policy ls` table: columns separated by at least three spaces, aligned under the header.</summary>
internal static partial class Table
{
    public static readonly string[] LsHeader = ["ID", "TYPE", "DECISION", "SCOPE", "EXPIRES", "RESOURCES"];

    [GeneratedRegex(" {3,}")]
    private static partial Regex ColumnGap();

    /// <summary>The cells of every line (header included), asserting each line has every column aligned under the header.</summary>
    public static List<string[]> Parse(IReadOnlyList<string> lines)
    {
        Assert.NotEmpty(lines);
        string header = lines[0];
        int[] starts = [.. LsHeader.Select(h => header.IndexOf(h, StringComparison.Ordinal))];
        var rows = new List<string[]>();
        foreach (string line in lines)
        {
            string[] cells = ColumnGap().Split(line, LsHeader.Length);
            Assert.True(cells.Length == LsHeader.Length, $"not {LsHeader.Length} columns: \"{line}\"");
            for (int c = 1; c < cells.Length; c++)
            {
                Assert.True(line.IndexOf(cells[c], starts[c - 1] + cells[c - 1].Length, StringComparison.Ordinal) == starts[c], $"column {LsHeader[c]} misaligned: \"{line}\"");
            }

            rows.Add(cells);
        }

        Assert.Equal(LsHeader, rows[0]);
        return rows;
    }
}
