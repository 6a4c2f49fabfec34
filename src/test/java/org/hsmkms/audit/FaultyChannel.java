package org.hsmkms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real file channel for appending that counts its writes and fails them on demand: after {@link
 * #failNext} the next write writes {@code bytesBeforeFailure} bytes (all of them if negative) and
 * then throws, as a disk that fills up or an I/O error would.
 */
final class FaultyChannel extends FileChannel {
  private final FileChannel real;
  private final AtomicInteger writes;
  private final Faults faults;

  /** Shared by every channel the trail opens (it opens a new one after a failure). */
  static final class Faults {
    final AtomicInteger writes = new AtomicInteger();
    private volatile int bytesBeforeFailure;
    private volatile boolean failNext;

    /** The next write fails after writing {@code bytes} bytes (all of them if negative). */
    void failNext(int bytes) {
      bytesBeforeFailure = bytes;
      failNext = true;
    }

    TrailFile.Opener opener() {
      return f -> new FaultyChannel(f, this);
    }
  }

  private FaultyChannel(Path file, Faults faults) throws IOException {
    this.real = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    this.faults = faults;
    this.writes = faults.writes;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    writes.incrementAndGet();
    if (faults.failNext) {
      faults.failNext = false;
      int keep = faults.bytesBeforeFailure < 0 ? src.remaining() : faults.bytesBeforeFailure;
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + Math.min(keep, src.remaining()));
      while (part.hasRemaining()) {
        real.write(part);
      }
      throw new IOException("injected write failure");
    }
    return real.write(src);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return real.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return real.read(dsts, offset, length);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    throw new UnsupportedOperationException("the trail writes one buffer at a time");
  }

  @Override
  public long position() throws IOException {
    return real.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    real.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return real.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    real.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    real.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return real.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    return real.transferFrom(src, position, count);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return real.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    throw new UnsupportedOperationException("the trail appends");
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return real.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return real.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return real.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    real.close();
  }
}
