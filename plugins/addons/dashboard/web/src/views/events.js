// Events, newest first.
import {listView} from '../list-view.js';
import {eventTime} from './overview.js';
import {age} from '../format.js';

export function eventsView(main, _params, signal) {
  listView(main, signal, {heading: 'Events', spec: {
    resKey: 'events', label: 'events',
    sort: (a, b) => eventTime(b) - eventTime(a),
    columns: [
      {title: 'Last seen', width: '5rem', cell: (e) => age(new Date(eventTime(e)).toISOString())},
      {title: 'Type', width: '5rem', cell: (e) => e.type || ''},
      {title: 'Reason', width: 'minmax(6rem, 1fr)', cell: (e) => e.reason || ''},
      {title: 'Object', width: 'minmax(8rem, 1.5fr)', cell: (e) => `${e.involvedObject?.kind || ''}/${e.involvedObject?.name || ''}`},
      {title: 'Message', width: 'minmax(10rem, 3fr)', cell: (e) => e.message || ''},
    ]}});
}
