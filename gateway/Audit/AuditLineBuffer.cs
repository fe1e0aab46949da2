namespace Gateway.Audit;

/// <summary>
/// Splits bytes read from a stream into JSON Lines. Holds at most one partial line between
/// reads; a line longer than <see cref="MaxLineBytes"/> is skipped whole and counted, so a
/// corrupt file costs bounded memory.
/// </summary>
internal sealed class AuditLineBuffer
{
    /// <summary>Longest line kept; audit events are far shorter (a host name is at most 253 bytes).</summary>
    public const int MaxLineBytes = 1 << 20;

    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _skipping;

    /// <summary>Lines skipped for being longer than <see cref="MaxLineBytes"/>.</summary>
    public long Oversized { get; private set; }

    /// <summary>The bytes after the last newline: a line still being written, or torn.</summary>
    public ReadOnlySpan<byte> Partial => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Reads what <paramref name="stream"/> has; 0 at its end.</summary>
    public int Fill(Stream stream)
    {
        MakeRoom();
        int read = stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        return read;
    }

    /// <summary>As <see cref="Fill"/>, asynchronously.</summary>
    public async ValueTask<int> FillAsync(Stream stream, CancellationToken cancellation)
    {
        MakeRoom();
        int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellation).ConfigureAwait(false);
        _end += read;
        return read;
    }

    /// <summary>The next complete line, without its newline; false when only a partial line is left.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                line = default;
                return false;
            }

            line = _buffer.AsSpan(_start, newline);
            _start += newline + 1;
            if (!_skipping)
            {
                return true;
            }

            _skipping = false; // the end of an oversized line
        }
    }

    /// <summary>Forgets everything buffered (the file was replaced).</summary>
    public void Clear()
    {
        _start = _end = 0;
        _skipping = false;
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end < _buffer.Length)
        {
            return;
        }

        if (_buffer.Length < MaxLineBytes)
        {
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes));
            return;
        }

        // One line fills the largest buffer: drop it up to its newline.
        Oversized++;
        _skipping = true;
        _end = 0;
    }
}
