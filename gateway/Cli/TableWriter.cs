namespace Gateway.Cli;

/// <summary>Left-aligned columns separated by three spaces, like `sbx policy ls`.</summary>
internal sealed class TableWriter(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void WriteTo(TextWriter writer)
    {
        int columns = _rows[0].Length;
        var widths = new int[columns];
        foreach (string[] row in _rows)
        {
            for (int c = 0; c < columns; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        foreach (string[] row in _rows)
        {
            for (int c = 0; c < columns; c++)
            {
                writer.Write(c == columns - 1 ? row[c] : row[c].PadRight(widths[c] + 3));
            }

            writer.WriteLine();
        }
    }
}
