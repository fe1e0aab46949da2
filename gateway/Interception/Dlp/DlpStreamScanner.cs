using System.Buffers;
using System.Text;

namespace Gateway.Interception.Dlp;

/// <summary>
/// Scans a byte stream (a request body, decoded or not) through one bounded window: each piece is widened
/// from Latin-1 (every needle is ASCII, and a byte-to-char widening is vectorised) behind what the previous
/// window kept: the last <see cref="DlpNeedles.Longest"/> − 1 characters, so a needle split across reads is
/// found, and everything from a shape that could not be decided yet (at most <see cref="DlpShapes.MaxLookahead"/>
/// characters), so a token split across chunks or HTTP/2 DATA frames is verified whole. The window is rented
/// from the shared pool and returned by <see cref="Dispose"/>: memory per stream is
/// <see cref="Chunk"/> + <see cref="DlpNeedles.Carry"/> characters, whatever the body's length.
/// </summary>
internal sealed class DlpStreamScanner : IDisposable
{
    /// <summary>Bytes scanned per window.</summary>
    public const int Chunk = 16 * 1024;

    private readonly DlpNeedles _needles;
    private readonly DlpContext _context;
    private char[]? _window;
    private int _carried;
    private char _before;

    public DlpStreamScanner(DlpNeedles needles, in DlpContext context)
    {
        _needles = needles;
        _context = context;
        _window = ArrayPool<char>.Shared.Rent(Chunk + needles.Carry);
    }

    /// <summary>Scans the next bytes; the first secret found, or <see cref="DlpPattern.None"/>.</summary>
    public DlpPattern Feed(ReadOnlySpan<byte> data)
    {
        char[] window = _window ?? throw new ObjectDisposedException(nameof(DlpStreamScanner));
        while (!data.IsEmpty)
        {
            int take = Math.Min(Chunk, data.Length);
            int widened = Encoding.Latin1.GetChars(data[..take], window.AsSpan(_carried));
            DlpPattern pattern = ScanWindow(window, _carried + widened, final: false);
            if (pattern != DlpPattern.None)
            {
                return pattern;
            }

            data = data[take..];
        }

        return DlpPattern.None;
    }

    /// <summary>The stream ended: decides what was kept waiting for more.</summary>
    public DlpPattern Complete()
    {
        char[] window = _window ?? throw new ObjectDisposedException(nameof(DlpStreamScanner));
        DlpPattern pattern = ScanWindow(window, _carried, final: true);
        _carried = 0;
        return pattern;
    }

    public void Dispose()
    {
        if (_window is { } window)
        {
            _window = null;
            ArrayPool<char>.Shared.Return(window);
        }
    }

    private DlpPattern ScanWindow(char[] window, int length, bool final)
    {
        ReadOnlySpan<char> text = window.AsSpan(0, length);
        DlpPattern pattern = _needles.Find(text, _before, final, identityHeader: false, _context, out int deferred);
        if (pattern != DlpPattern.None)
        {
            return pattern;
        }

        if (!final)
        {
            int keep = Math.Max(0, length - (_needles.Longest - 1));
            if (deferred >= 0 && deferred < keep)
            {
                keep = deferred;
            }

            if (keep > 0)
            {
                _before = text[keep - 1];
            }

            text[keep..].CopyTo(window);
            _carried = length - keep;
        }

        return DlpPattern.None;
    }
}
