using System.Buffers;

namespace Ops.Dashboard.Web;

/// <summary>
/// A request body read whole into a pooled buffer, given back on dispose. Batches are 100–200 KB: a
/// MemoryStream and a copy of it for the parser were two large-object allocations per POST, and at
/// 20 POSTs a second those set off a blocking full collection about once a second.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>The body's bytes; valid until dispose.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer is { } b ? b.AsMemory(0, _length) : throw new ObjectDisposedException(nameof(RequestBody));

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var pool = ArrayPool<byte>.Shared;
        // One read more than the limit tells a body just over it from one that fits exactly.
        var expected = request.ContentLength is { } declared && declared <= limit ? (int)declared + 1 : 64 * 1024;
        var buffer = pool.Rent(expected);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = pool.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    pool.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
                if (length > limit)
                {
                    pool.Return(buffer);
                    return null;
                }
            }
            return new RequestBody(buffer, length);
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer is { } b) ArrayPool<byte>.Shared.Return(b);
        _buffer = null;
    }
}
