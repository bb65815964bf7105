#pragma once

// Included only by record_context.cc.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace rivven::transforms {

/// The allocator RapidJSON's parser uses for its working stacks (the document's value stack and
/// the reader's number/state stack). RapidJSON frees both at the end of every parse and grows
/// them again on the next one; with the C allocator that is a malloc, a few reallocs and a free
/// per record. This allocator keeps a few freed blocks per thread and hands them out again, so
/// parsing a stream of records allocates only while the stacks are still growing.
///
/// Meets RapidJSON's Allocator concept (Free is static by that contract). Blocks carry their
/// capacity in a header so a cached block can serve any request that fits.
class ParseStackAllocator {
 public:
  static const bool kNeedFree = true;

  void* Malloc(size_t size) {
    if (size == 0) return nullptr;
    Cache& cache = ThisThreadCache();
    for (size_t i = 0; i < cache.count; ++i) {
      Header* h = cache.blocks[i];
      if (h->capacity >= size) {
        cache.blocks[i] = cache.blocks[--cache.count];
        return h + 1;
      }
    }
    return Allocate(size < kMinBlock ? kMinBlock : size);
  }

  void* Realloc(void* old, size_t old_size, size_t new_size) {
    if (old == nullptr) return Malloc(new_size);
    if (new_size == 0) {
      Free(old);
      return nullptr;
    }
    Header* h = static_cast<Header*>(old) - 1;
    if (h->capacity >= new_size) return old;
    void* grown = Malloc(new_size);
    std::memcpy(grown, old, old_size < new_size ? old_size : new_size);
    Free(old);
    return grown;
  }

  static void Free(void* p) {
    if (p == nullptr) return;
    Header* h = static_cast<Header*>(p) - 1;
    if (h->capacity > kMaxCachedBlock) {
      std::free(h);
      return;
    }
    Cache& cache = ThisThreadCache();
    if (cache.count < kCachedBlocks) {
      cache.blocks[cache.count++] = h;
      return;
    }
    // Full: keep the larger blocks, they serve more requests.
    size_t smallest = 0;
    for (size_t i = 1; i < cache.count; ++i) {
      if (cache.blocks[i]->capacity < cache.blocks[smallest]->capacity) smallest = i;
    }
    if (cache.blocks[smallest]->capacity < h->capacity) std::swap(cache.blocks[smallest], h);
    std::free(h);
  }

  /// How many freed blocks this thread keeps for reuse.
  static size_t CachedBlocks() { return ThisThreadCache().count; }

  bool operator==(const ParseStackAllocator&) const { return true; }
  bool operator!=(const ParseStackAllocator&) const { return false; }

 private:
  struct alignas(std::max_align_t) Header {
    size_t capacity;
  };
  static constexpr size_t kCachedBlocks = 4;
  static constexpr size_t kMinBlock = 1024;
  // Blocks above this size are not kept: one huge record must not pin its stack forever.
  static constexpr size_t kMaxCachedBlock = 1 << 20;

  struct Cache {
    Header* blocks[kCachedBlocks] = {};
    size_t count = 0;
    ~Cache() {
      for (size_t i = 0; i < count; ++i) std::free(blocks[i]);
    }
  };

  static Cache& ThisThreadCache() {
    thread_local Cache cache;
    return cache;
  }

  static void* Allocate(size_t size) {
    auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + size));
    if (h == nullptr) throw std::bad_alloc();
    h->capacity = size;
    return h + 1;
  }
};

}  // namespace rivven::transforms
