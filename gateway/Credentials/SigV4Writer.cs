using System.Buffers;

namespace Gateway.Credentials;

/// <summary>
/// A growable UTF-8 buffer rented from <see cref="ArrayPool{T}"/>, for the canonical request:
/// its size depends on the path, query and headers, so it cannot be a fixed stackalloc. The
/// owner calls <see cref="Dispose"/> in a <c>finally</c>.
/// </summary>
internal ref struct SigV4Writer
{
    private byte[] _array;
    private int _length;

    public SigV4Writer(int capacity)
    {
        _array = ArrayPool<byte>.Shared.Rent(capacity);
        _length = 0;
    }

    /// <summary>What has been written.</summary>
    public readonly ReadOnlySpan<byte> Written => _array.AsSpan(0, _length);

    public void Write(byte value)
    {
        if (_length == _array.Length)
        {
            Grow(1);
        }

        _array[_length++] = value;
    }

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _array.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_array.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Writes ASCII text (header names and values, already-encoded URIs) byte per char; anything else as UTF-8.</summary>
    public void WriteText(scoped ReadOnlySpan<char> text)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_length + max > _array.Length)
        {
            Grow(max);
        }

        _length += System.Text.Encoding.UTF8.GetBytes(text, _array.AsSpan(_length));
    }

    /// <summary>Writes <paramref name="text"/> lower-cased (ASCII), for header names.</summary>
    public void WriteLower(scoped ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _array.Length)
        {
            Grow(text.Length);
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            _array[_length++] = (byte)(c is >= 'A' and <= 'Z' ? c | 0x20 : c);
        }
    }

    /// <summary>Writes one byte as %XX with upper-case hex digits (the form SigV4 requires).</summary>
    public void WritePercent(byte value)
    {
        if (_length + 3 > _array.Length)
        {
            Grow(3);
        }

        _array[_length] = (byte)'%';
        _array[_length + 1] = (byte)"0123456789ABCDEF"[value >> 4];
        _array[_length + 2] = (byte)"0123456789ABCDEF"[value & 0xF];
        _length += 3;
    }

    public void Dispose()
    {
        byte[] array = _array;
        _array = [];
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Grow(int needed)
    {
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _length + needed));
        _array.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }
}
