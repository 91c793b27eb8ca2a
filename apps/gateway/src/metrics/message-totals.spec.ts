import { MessageTotals } from './message-totals';

describe('MessageTotals', () => {
  it('counts peer and channel messages in all and per app', () => {
    const sut = new MessageTotals();
    sut.peer('a');
    sut.peer('a');
    sut.channel('a');
    sut.channel('b');
    expect(sut.of()).toEqual({ peer: 2, channel: 2 });
    expect(sut.of('a')).toEqual({ peer: 2, channel: 1 });
    expect(sut.of('b')).toEqual({ peer: 0, channel: 1 });
    expect(sut.of('never')).toEqual({ peer: 0, channel: 0 });
  });

  it('hands out copies', () => {
    const sut = new MessageTotals();
    const before = sut.of();
    sut.peer('a');
    expect(before).toEqual({ peer: 0, channel: 0 });
  });
});
